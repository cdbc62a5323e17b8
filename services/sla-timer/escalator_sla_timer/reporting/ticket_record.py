"""One ticket's facts for reports, folded from its events in whatever order the topics deliver
them: opened, first response, the tiers it passed, its escalations, vendor cases, SLA clock
outcomes, reopens, dissatisfaction and major outages. Pure: no I/O.

Stored as JSON (`as_json` / `from_json`); every fold is idempotent, so an event applied twice
leaves the record as applying it once does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

ClockState = Literal["running", "fulfilled", "cancelled"]


@dataclass(frozen=True)
class ClockOutcome:
    """What one SLA, OLA or vendor clock came to."""

    metric: str
    target_seconds: int
    state: ClockState = "running"
    elapsed_seconds: int | None = None
    breached: bool = False

    @property
    def met(self) -> bool | None:
        """True: fulfilled within target; False: breached; None: still running or cancelled
        unbreached (neither met nor missed)."""
        if self.breached:
            return False
        if self.state == "fulfilled":
            return self.elapsed_seconds is None or self.elapsed_seconds <= self.target_seconds
        return None


@dataclass(frozen=True)
class TierPass:
    """The ticket reached a tier (and a team within it)."""

    tier: str
    at: datetime
    team: str | None = None


@dataclass(frozen=True)
class Escalation:
    """A step of the escalation chain after its first page."""

    step: int
    round: int
    reason: str
    at: datetime
    seconds_since_chain_start: float | None


@dataclass(frozen=True)
class VendorCaseFacts:
    """A case with a vendor: when it opened, and when the vendor answered and solved it."""

    vendor: str
    opened_at: datetime | None = None
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class OpenSpell:
    """From opening (or a reopen) to the resolve that ended it (None while open)."""

    opened_at: datetime
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class TicketRecord:
    """Everything reports need of one ticket."""

    ticket_id: str
    client_id: str
    opened_at: datetime | None = None
    priority: str | None = None
    drill: bool = False
    ticket_type: str = "incident"
    acknowledged_at: datetime | None = None
    first_response_at: datetime | None = None
    spells: tuple[OpenSpell, ...] = ()
    reopens: int = 0
    tiers: tuple[TierPass, ...] = ()
    chain_started_at: datetime | None = None
    escalations: tuple[Escalation, ...] = ()
    vendor_cases: dict[str, VendorCaseFacts] = field(default_factory=dict)
    clocks: dict[str, ClockOutcome] = field(default_factory=dict)
    dissatisfied: bool = False
    major_outage: bool = False

    @property
    def resolved_at(self) -> datetime | None:
        """When it was last resolved, None while open."""
        return self.spells[-1].resolved_at if self.spells else None

    @property
    def first_tier(self) -> str | None:
        """The tier it was first routed to."""
        return self.tiers[0].tier if self.tiers else None

    def tier_at(self, moment: datetime) -> str | None:
        """The tier that had the ticket at that moment (the first, before any routing)."""
        current = self.first_tier
        for passed in self.tiers:
            if passed.at <= moment:
                current = passed.tier
        return current

    @property
    def resolved_at_first_tier(self) -> bool:
        """Resolved for good the first time, without leaving its first tier or engaging a
        vendor (first-contact resolution); False while open or once reopened."""
        if self.resolved_at is None or not self.tiers or self.reopens:
            return False
        return all(p.tier == self.first_tier for p in self.tiers) and not self.vendor_cases

    @property
    def first_resolved_at(self) -> datetime | None:
        """When it was first resolved (before any reopen)."""
        return self.spells[0].resolved_at if self.spells else None

    def open_at(self, moment: datetime) -> bool:
        """Whether the ticket was open at that moment."""
        return any(
            s.opened_at <= moment and (s.resolved_at is None or moment < s.resolved_at)
            for s in self.spells
        )

    # Folds, one per fact. Each returns the new record.

    def opened(self, at: datetime, priority: str, drill: bool, ticket_type: str) -> TicketRecord:
        """TicketOpened."""
        spells = self.spells or (OpenSpell(at),)
        if spells[0].opened_at != at:
            spells = (replace(spells[0], opened_at=at), *spells[1:])
        return replace(
            self,
            opened_at=at,
            priority=self.priority or priority,
            drill=drill,
            ticket_type=ticket_type,
            spells=spells,
        )

    def reprioritised(self, priority: str) -> TicketRecord:
        """TicketPriorityChanged or a routing that set the priority: the latest counts."""
        return replace(self, priority=priority)

    def acknowledged(self, at: datetime) -> TicketRecord:
        """TicketAcknowledged: the first acknowledgement is the first response too."""
        first_ack = min(filter(None, (self.acknowledged_at, at)))
        return replace(self, acknowledged_at=first_ack, first_response_at=_first(self, at))

    def answered_customer(self, at: datetime) -> TicketRecord:
        """A customer-visible note: a response as far as the customer is concerned."""
        return replace(self, first_response_at=_first(self, at))

    def resolved(self, at: datetime) -> TicketRecord:
        """TicketResolved: ends the open spell it falls in."""
        if any(s.resolved_at == at for s in self.spells):
            return self
        spells = list(self.spells) or [OpenSpell(self.opened_at or at)]
        for i in range(len(spells) - 1, -1, -1):
            if spells[i].opened_at <= at and spells[i].resolved_at is None:
                spells[i] = replace(spells[i], resolved_at=at)
                break
        return replace(self, spells=tuple(spells))

    def reopened(self, at: datetime) -> TicketRecord:
        """TicketReopened: a new open spell."""
        if any(s.opened_at == at for s in self.spells):
            return self
        spells = tuple(sorted((*self.spells, OpenSpell(at)), key=lambda s: s.opened_at))
        return replace(self, spells=spells, reopens=self.reopens + 1)

    def routed(
        self, tier: str, at: datetime, priority: str, team: str | None = None
    ) -> TicketRecord:
        """TicketRouted: a tier passed (a repeat of the current tier is not a new pass)."""
        passes = sorted({*self.tiers, TierPass(tier, at, team)}, key=lambda p: (p.at, p.tier))
        collapsed = tuple(p for i, p in enumerate(passes) if i == 0 or passes[i - 1].tier != p.tier)
        return replace(self, tiers=collapsed, priority=priority)

    def escalated(self, step: int, round_: int, reason: str, at: datetime) -> TicketRecord:
        """EscalationStepReached: step 0 of round 0 starts the chain; later steps escalate."""
        if step == 0 and round_ == 0:
            start = min(filter(None, (self.chain_started_at, at)))
            return replace(self, chain_started_at=start)
        if any(e.step == step and e.round == round_ and e.at == at for e in self.escalations):
            return self
        since = (at - self.chain_started_at).total_seconds() if self.chain_started_at else None
        reached = Escalation(step, round_, reason, at, since)
        return replace(self, escalations=tuple(sorted((*self.escalations, reached), key=_at)))

    def vendor_case(
        self,
        reference: str,
        vendor: str,
        *,
        opened_at: datetime | None = None,
        acknowledged_at: datetime | None = None,
        resolved_at: datetime | None = None,
    ) -> TicketRecord:
        """VendorCaseOpened / Acknowledged / Resolved: the earliest of each moment counts."""
        case = self.vendor_cases.get(reference, VendorCaseFacts(vendor))
        case = replace(
            case,
            opened_at=_earliest(case.opened_at, opened_at),
            acknowledged_at=_earliest(case.acknowledged_at, acknowledged_at),
            resolved_at=_earliest(case.resolved_at, resolved_at),
        )
        return replace(self, vendor_cases={**self.vendor_cases, reference: case})

    def clock_started(self, clock_id: str, metric: str, target_seconds: int) -> TicketRecord:
        """SlaClockStarted (a started clock already stopped or breached keeps its outcome)."""
        clock = self.clocks.get(clock_id, ClockOutcome(metric, target_seconds))
        return replace(self, clocks={**self.clocks, clock_id: clock})

    def clock_retargeted(self, clock_id: str, metric: str, target_seconds: int) -> TicketRecord:
        """SlaClockRetargeted."""
        clock = self.clocks.get(clock_id, ClockOutcome(metric, target_seconds))
        return self._clock(clock_id, replace(clock, target_seconds=target_seconds))

    def clock_stopped(
        self, clock_id: str, metric: str, outcome: ClockState, elapsed_seconds: int
    ) -> TicketRecord:
        """SlaClockStopped: fulfilled or cancelled, with the business time it ran."""
        clock = self.clocks.get(clock_id, ClockOutcome(metric, elapsed_seconds))
        return self._clock(clock_id, replace(clock, state=outcome, elapsed_seconds=elapsed_seconds))

    def clock_breached(self, clock_id: str, metric: str, target_seconds: int) -> TicketRecord:
        """SlaBreached."""
        clock = self.clocks.get(clock_id, ClockOutcome(metric, target_seconds))
        return self._clock(clock_id, replace(clock, breached=True))

    def responders_paged(self, reason: str) -> TicketRecord:
        """RespondersPaged: an unhappy customer, or a major outage."""
        if reason == "customer_dissatisfied":
            return replace(self, dissatisfied=True)
        if reason == "major_outage":
            return replace(self, major_outage=True)
        return self

    def _clock(self, clock_id: str, clock: ClockOutcome) -> TicketRecord:
        return replace(self, clocks={**self.clocks, clock_id: clock})

    # Storage.

    def as_json(self) -> dict[str, Any]:
        """The record as JSON values (times as ISO 8601)."""
        data: dict[str, Any] = _jsonable(asdict(self))
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TicketRecord:
        """The record `as_json` wrote."""
        return cls(
            ticket_id=data["ticket_id"],
            client_id=data["client_id"],
            opened_at=_maybe_time(data["opened_at"]),
            priority=data["priority"],
            drill=data["drill"],
            ticket_type=data["ticket_type"],
            acknowledged_at=_maybe_time(data["acknowledged_at"]),
            first_response_at=_maybe_time(data["first_response_at"]),
            spells=tuple(
                OpenSpell(_time(spell["opened_at"]), _maybe_time(spell["resolved_at"]))
                for spell in data["spells"]
            ),
            reopens=data["reopens"],
            tiers=tuple(TierPass(p["tier"], _time(p["at"]), p.get("team")) for p in data["tiers"]),
            chain_started_at=_maybe_time(data["chain_started_at"]),
            escalations=tuple(
                Escalation(**{**e, "at": _time(e["at"])}) for e in data["escalations"]
            ),
            vendor_cases={
                ref: VendorCaseFacts(
                    c["vendor"],
                    _maybe_time(c["opened_at"]),
                    _maybe_time(c["acknowledged_at"]),
                    _maybe_time(c["resolved_at"]),
                )
                for ref, c in data["vendor_cases"].items()
            },
            clocks={cid: ClockOutcome(**c) for cid, c in data["clocks"].items()},
            dissatisfied=data["dissatisfied"],
            major_outage=data["major_outage"],
        )


def _first(record: TicketRecord, at: datetime) -> datetime:
    return min(filter(None, (record.first_response_at, at)))


def _earliest(known: datetime | None, seen: datetime | None) -> datetime | None:
    if known is None or seen is None:
        return known or seen
    return min(known, seen)


def _at(escalation: Escalation) -> datetime:
    return escalation.at


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _maybe_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
