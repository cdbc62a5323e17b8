"""What the gateway knows of a ticket when it prepares a vendor case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class TicketSnapshot:
    """The ticket's fields a case may carry, and which tier has had it for how long."""

    ticket_id: str
    client_id: str
    title: str
    priority: str
    opened_at: datetime | None
    description: str = ""
    device: str | None = None
    reference: str | None = None
    requester: str | None = None
    error_codes: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    tier: str | None = None
    tier_since: datetime | None = None
    # Time each tier held the ticket before the current stint.
    tier_held: dict[str, timedelta] = field(default_factory=dict)
    assignee: str | None = None

    def held_by_tier(self, now: datetime) -> dict[str, timedelta]:
        """How long each tier has had the ticket so far, the current stint included."""
        held = dict(self.tier_held)
        if self.tier is not None and self.tier_since is not None:
            held[self.tier] = held.get(self.tier, timedelta(0)) + max(
                now - self.tier_since, timedelta(0)
            )
        return held

    def moved_to(self, tier: str, at: datetime) -> dict[str, timedelta]:
        """`tier_held` once the ticket moves to `tier` at `at` (the stint in hand banked)."""
        if tier == self.tier:
            return dict(self.tier_held)
        held = self.held_by_tier(at)
        if self.tier is not None and self.tier not in held:
            held[self.tier] = timedelta(0)
        return held

    @property
    def opened(self) -> bool:
        """Whether its TicketOpened has arrived (else only routing or requests have)."""
        return self.opened_at is not None

    @property
    def tag(self) -> str:
        """How mail and cases name the ticket: `[TKT-1042]`, else its id."""
        return f"[{self.reference}]" if self.reference else f"[{self.ticket_id}]"
