"""Vendor case events: requested, opened, answered, resolved, and what needs a person."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from escalator_shared.events.envelope import Event


class VendorCaseRequested(Event):
    """A vendor should get a case for this ticket."""

    event_type: ClassVar[str] = "VendorCaseRequested"
    stream: ClassVar[str] = "vendor"

    vendor: str = Field(description="Vendor id from the directory.")
    reason: str = Field(description="Why (the rule or the person).")
    requested_by: str = Field(description="Service or person asking.")


class VendorCaseOpened(Event):
    """A case exists at the vendor."""

    event_type: ClassVar[str] = "VendorCaseOpened"
    # 2: message_id (version 1 events, without it, still read: it defaults to None).
    schema_version: ClassVar[int] = 2
    stream: ClassVar[str] = "vendor"

    vendor: str = Field(description="Vendor id.")
    case_reference: str = Field(description="Our or the vendor's case number.")
    channel: str = Field(description="How it was opened: email, api, phone, recorded.")
    message_id: str | None = Field(
        default=None,
        description="The Message-ID of the case email, bare (no angle brackets): the vendor's "
        "replies name it in In-Reply-To. None for cases not opened by email.",
    )


class VendorCaseAcknowledged(Event):
    """The vendor acknowledged our case (their first response)."""

    event_type: ClassVar[str] = "VendorCaseAcknowledged"
    stream: ClassVar[str] = "vendor"

    vendor: str = Field(description="Vendor id.")
    case_reference: str = Field(description="The case.")
    acknowledged_at: datetime = Field(description="When the vendor answered.")


class VendorCaseResolved(Event):
    """The vendor says our case is solved."""

    event_type: ClassVar[str] = "VendorCaseResolved"
    stream: ClassVar[str] = "vendor"

    vendor: str = Field(description="Vendor id.")
    case_reference: str = Field(description="The case.")
    resolved_at: datetime = Field(description="When.")


class VendorCaseDataRequested(Event):
    """The vendor requires data nobody holds; the case waits until a technician supplies it."""

    event_type: ClassVar[str] = "VendorCaseDataRequested"
    stream: ClassVar[str] = "vendor"

    vendor: str = Field(description="Vendor id.")
    fields: list[str] = Field(description="Names of the missing fields, e.g. affected_users.")
    labels: list[str] = Field(description="The same fields as the vendor calls them.")
    asked: str | None = Field(default=None, description="Person id asked (the assignee).")


class VendorCallRequested(Event):
    """The vendor takes cases only by phone or portal: a technician opens it and records it."""

    event_type: ClassVar[str] = "VendorCallRequested"
    stream: ClassVar[str] = "vendor"

    vendor: str = Field(description="Vendor id.")
    number: str | None = Field(default=None, description="Hotline to call.")
    portal_url: str | None = Field(default=None, description="Portal to open the case on.")
    open_now: bool = Field(description="Whether the hotline is open at the time of asking.")
    hours: str = Field(default="", description="The hotline's hours, readable.")
    script: str = Field(default="", description="What to say and ask for.")
    data: dict[str, str] = Field(description="Every value to read out, by the vendor's label.")
    asked: str | None = Field(default=None, description="Person id asked (the assignee).")


class VendorCaseFailed(Event):
    """Opening the case failed for good (retries spent, or refused); a person must act."""

    event_type: ClassVar[str] = "VendorCaseFailed"
    stream: ClassVar[str] = "vendor"

    vendor: str = Field(description="Vendor id.")
    channel: str = Field(description="api or email.")
    error: str = Field(description="The last error, as the vendor or the network gave it.")
    attempts: int = Field(description="Attempts made.")


class VendorCaseUpdated(Event):
    """The vendor reported progress on the case that is neither its response nor resolution."""

    event_type: ClassVar[str] = "VendorCaseUpdated"
    stream: ClassVar[str] = "vendor"

    vendor: str = Field(description="Vendor id.")
    case_reference: str = Field(description="The case.")
    status: str = Field(description="The vendor's own status text.")
    note: str = Field(default="", description="What the vendor said, shortened.")


class VendorReplyReceived(Event):
    """The vendor answered by email on the ticket's thread (intake read it from their address)."""

    event_type: ClassVar[str] = "VendorReplyReceived"
    stream: ClassVar[str] = "vendor"

    vendor: str = Field(description="Vendor id, by the sender's domain.")
    sender: str = Field(description="The address it came from.")
    email_id: str = Field(description="Id of the stored message in intake's inbound mail.")
    received_at: datetime = Field(description="When intake read it.")
    subject: str = Field(default="", description="The reply's subject.")
    excerpt: str = Field(
        default="", description="The reply's own words (quoted text left out), shortened."
    )
