"""A ticket's timeline as a person reads it: each entry with its kind, repeat alerts folded.

The timeline (GET /v1/tickets/{id}) holds every event any service emitted about the ticket. A
flapping monitor can add hundreds of repeats; those fold into one entry that opens on demand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KINDS = {
    "alert": ("AlertReceived", "EmailReceived", "TicketOpened", "TicketUpdated"),
    "routing": ("TicketRouted",),
    "escalation": (
        "EscalationStepReached",
        "RespondersPaged",
        "EscalationStopped",
        "EscalationRequested",
    ),
    "delivery": ("NotificationRequested", "NotificationDelivered", "NotificationFailed"),
    "sla": (
        "SlaClockStarted",
        "SlaClockRetargeted",
        "SlaClockStopped",
        "SlaClockPaused",
        "SlaClockResumed",
        "SlaWarningReached",
        "SlaBreached",
        "SlaBreachReminded",
    ),
}
_KIND_OF = {event: kind for kind, events in KINDS.items() for event in events}
FOLDED = frozenset({"TicketUpdated"})  # repeats of the ticket's alert


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline, with the repeats folded into it (oldest first)."""

    at: str
    event: str
    by: str
    summary: str
    kind: str
    folded: list[Mapping[str, Any]] = field(default_factory=list)


def timeline_entries(timeline: Sequence[Mapping[str, Any]]) -> list[TimelineEntry]:
    """The entries, oldest first; a run of repeat alerts becomes its first entry holding the
    rest, so the run reads as 'repeat alert (+N more)'."""
    entries: list[TimelineEntry] = []
    for item in timeline:
        event = str(item.get("event", ""))
        previous = entries[-1] if entries else None
        if event in FOLDED and previous is not None and previous.event == event:
            previous.folded.append(item)
            continue
        entries.append(
            TimelineEntry(
                at=str(item.get("at", "")),
                event=event,
                by=str(item.get("by", "")),
                summary=str(item.get("summary", "")),
                kind=kind_of(event),
            )
        )
    return entries


def kind_of(event: str) -> str:
    """The entry's kind, which the page shows as its marker: alert, routing, escalation,
    delivery, sla, vendor or action (something a person did)."""
    if event.startswith("Vendor"):
        return "vendor"
    return _KIND_OF.get(event, "action")
