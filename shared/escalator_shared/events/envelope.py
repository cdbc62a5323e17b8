"""The one envelope every event travels in, and its JSON wire form."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def new_id() -> str:
    """A fresh random identifier: a version 4 UUID, hex with dashes.

    Built from 16 random bytes directly: `str(uuid.uuid4())` costs several times more, and
    every alert takes two.
    """
    digits = os.urandom(16).hex()
    variant = "89ab"[int(digits[16], 16) & 3]  # RFC 4122: the top two bits of byte 8 are 10
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:]}"


class Event(BaseModel):
    """Base of every event and command payload: frozen, extra fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Set by each concrete event; the catalogue checks the names are unique.
    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    # The `Topics` attribute naming the topic the event travels on.
    stream: ClassVar[str]


class Envelope(BaseModel):
    """Metadata around one event: identity, time, ticket key and causality."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str = Field(default_factory=new_id, description="Unique id of this event.")
    event_type: str = Field(description="Catalogue name of the payload, e.g. TicketOpened.")
    schema_version: int = Field(default=1, description="Version of the payload's schema.")
    occurred_at: datetime = Field(default_factory=utc_now, description="When it happened (UTC).")
    ticket_id: str = Field(description="Ticket the event concerns; the Kafka message key.")
    client_id: str = Field(description="Client (MSP customer) the ticket belongs to.")
    correlation_id: str = Field(description="Id shared by every event of one causal chain.")
    causation_id: str | None = Field(default=None, description="Event that caused this one.")
    producer: str = Field(default="", description="Service that emitted the event.")
    payload: dict[str, Any] = Field(description="The event's fields, as its model dumps them.")

    @classmethod
    def wrap(
        cls,
        event: Event,
        *,
        ticket_id: str,
        client_id: str,
        producer: str,
        cause: Envelope | None = None,
        correlation_id: str | None = None,
    ) -> Envelope:
        """Envelope a payload; with a cause, inherit its correlation id unless one is given."""
        event_id = new_id()
        inherited = cause.correlation_id if cause else None
        return cls(
            event_id=event_id,
            event_type=event.event_type,
            schema_version=event.schema_version,
            ticket_id=ticket_id,
            client_id=client_id,
            correlation_id=correlation_id or inherited or event_id,
            causation_id=cause.event_id if cause else None,
            producer=producer,
            payload=event.model_dump(mode="json"),
        )

    def to_bytes(self) -> bytes:
        """The JSON wire form."""
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Envelope:
        """Parse the JSON wire form; raises pydantic.ValidationError on bad input."""
        return cls.model_validate_json(raw)
