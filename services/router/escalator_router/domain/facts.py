"""What routing rules look at: the facts of a ticket (or of an alert, for the explain view)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from escalator_shared.events import Priority, Severity


@dataclass(frozen=True)
class TicketFacts:
    """A ticket as rules see it; `at` is when it is routed (rules can match on time of day)."""

    client_id: str
    priority: Priority
    title: str
    at: datetime
    severity: Severity = Severity.MINOR
    source: str = "generic"
    integration: str = ""
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    error_codes: tuple[str, ...] = ()
    device: str | None = None
    requester: str | None = None
