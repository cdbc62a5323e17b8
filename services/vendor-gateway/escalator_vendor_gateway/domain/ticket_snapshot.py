"""What the gateway knows of a ticket when it prepares a vendor case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class TicketSnapshot:
    """The ticket's fields a case may carry."""

    ticket_id: str
    client_id: str
    title: str
    priority: str
    opened_at: datetime
    description: str = ""
    device: str | None = None
    reference: str | None = None
    error_codes: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
