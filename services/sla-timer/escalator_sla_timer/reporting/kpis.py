"""KPIs over ticket records for a period and a slice (clients, priorities, tiers). Pure.

What counts where:
- per ticket (tickets, SLA/OLA/vendor attainment, time to respond and to resolve (wall clock,
  opening to the first response and the first resolve), first-contact resolution, reopen rate,
  major outages, dissatisfied customers): the tickets opened in [start, end);
- per escalation (escalations per tier, time to escalate): escalations reached in the period,
  under the tier that had the ticket at that moment;
- per vendor case (response and resolution times): cases opened in the period;
- backlog: the tickets open at the end of each day of the period, days in `zone` (so a day of a
  DST change is 23 or 25 hours), whenever they were opened.
Drills never count. Percentiles are nearest-rank.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from escalator_sla_timer.domain.plans import metric_kind
from escalator_sla_timer.reporting.ticket_record import TicketRecord, VendorCaseFacts


@dataclass(frozen=True)
class ReportSlice:
    """A period, the zone its days are counted in, and which tickets (empty: all)."""

    start: datetime
    end: datetime
    zone: ZoneInfo
    clients: frozenset[str] = frozenset()
    priorities: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()

    def holds(self, record: TicketRecord) -> bool:
        """Whether the record is in the slice (whatever the period): not a drill, and of the
        clients, priorities, tiers and teams asked for (a tier or team: passed through it)."""
        if record.drill or record.opened_at is None:
            return False
        if self.clients and record.client_id not in self.clients:
            return False
        if self.priorities and record.priority not in self.priorities:
            return False
        if self.teams and not any(p.team in self.teams for p in record.tiers):
            return False
        return not self.tiers or any(p.tier in self.tiers for p in record.tiers)

    def during(self, moment: datetime | None) -> bool:
        """Whether the moment falls in the period."""
        return moment is not None and self.start <= moment < self.end


@dataclass(frozen=True)
class Attainment:
    """Clocks met and missed; percent of met among both (None without either)."""

    met: int
    missed: int

    @property
    def percent(self) -> float | None:
        """met / (met + missed), as a percentage."""
        return _percent(self.met, self.met + self.missed)


@dataclass(frozen=True)
class Durations:
    """How many, their mean and 90th percentile, in seconds (None when there are none)."""

    count: int
    average_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class Rate:
    """`count` of `of`, and its percentage."""

    count: int
    of: int

    @property
    def percent(self) -> float | None:
        """count / of, as a percentage."""
        return _percent(self.count, self.of)


@dataclass(frozen=True)
class Kpis:
    """The KPIs of one slice."""

    tickets: int
    attainment: dict[str, Attainment]  # by metric kind: response, resolution, ola, vendor_*
    time_to_respond: Durations
    time_to_resolve: Durations
    escalations_per_tier: dict[str, int]
    time_to_escalate: Durations
    vendor_response: dict[str, Durations]  # by vendor: opened to acknowledged
    vendor_resolution: dict[str, Durations]  # by vendor: opened to resolved
    backlog: list[tuple[date, int]]  # open at the end of each day
    first_contact_resolution: Rate
    reopened: Rate
    major_outages: int
    dissatisfied: int


def durations(seconds: Sequence[float]) -> Durations:
    """Count, mean and nearest-rank 90th percentile."""
    if not seconds:
        return Durations(0, None, None)
    ordered = sorted(seconds)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return Durations(len(ordered), round(sum(ordered) / len(ordered), 1), p90)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local day begins, in UTC (arithmetic between times of one zone in Python
    ignores its DST changes; between UTC times it does not)."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


def day_ends(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[date, datetime]]:
    """Each local day that begins in [start, end), with the instant it ends (the next local
    midnight, in UTC)."""
    days: list[tuple[date, datetime]] = []
    day = start.astimezone(zone).date()
    while True:
        begins = local_midnight(day, zone)
        if begins >= end:
            return days
        if begins >= start:
            days.append((day, local_midnight(day + timedelta(days=1), zone)))
        day += timedelta(days=1)


def kpis(records: Iterable[TicketRecord], scope: ReportSlice) -> Kpis:
    """The KPIs of the records in the slice."""
    sliced = [r for r in records if scope.holds(r)]
    opened = [r for r in sliced if scope.during(r.opened_at)]
    judged: dict[str, Counter[bool]] = {}
    for record in opened:
        for clock in record.clocks.values():
            if clock.met is not None:
                judged.setdefault(metric_kind(clock.metric), Counter())[clock.met] += 1
    escalations = [(r, e) for r in sliced for e in r.escalations if scope.during(e.at)]
    per_tier = Counter(r.tier_at(e.at) or "unrouted" for r, e in escalations)
    waits = [e.seconds_since_chain_start for _, e in escalations]
    cases = [c for r in sliced for c in r.vendor_cases.values() if scope.during(c.opened_at)]
    resolved = [r for r in opened if r.resolved_at is not None or r.reopens]
    return Kpis(
        tickets=len(opened),
        attainment={k: Attainment(c[True], c[False]) for k, c in sorted(judged.items())},
        time_to_respond=durations(_waits(opened, "first_response_at")),
        time_to_resolve=durations(_waits(opened, "first_resolved_at")),
        escalations_per_tier=dict(sorted(per_tier.items())),
        time_to_escalate=durations([w for w in waits if w is not None]),
        vendor_response=_vendor_times(cases, "acknowledged_at"),
        vendor_resolution=_vendor_times(cases, "resolved_at"),
        backlog=[
            (day, sum(1 for r in sliced if r.open_at(ends)))
            for day, ends in day_ends(scope.start, scope.end, scope.zone)
        ],
        first_contact_resolution=Rate(
            sum(1 for r in resolved if r.resolved_at_first_tier), len(resolved)
        ),
        reopened=Rate(sum(1 for r in resolved if r.reopens), len(resolved)),
        major_outages=sum(1 for r in opened if r.major_outage),
        dissatisfied=sum(1 for r in opened if r.dissatisfied),
    )


def _waits(
    records: Sequence[TicketRecord], moment: Literal["first_response_at", "first_resolved_at"]
) -> list[float]:
    waits = []
    for record in records:
        reached = getattr(record, moment)
        if reached is not None and record.opened_at is not None:
            waits.append((reached - record.opened_at).total_seconds())
    return waits


def _vendor_times(
    cases: Sequence[VendorCaseFacts], moment: Literal["acknowledged_at", "resolved_at"]
) -> dict[str, Durations]:
    by_vendor: dict[str, list[float]] = {}
    for case in cases:
        reached = case.acknowledged_at if moment == "acknowledged_at" else case.resolved_at
        waits = by_vendor.setdefault(case.vendor, [])
        if reached is not None and case.opened_at is not None:
            waits.append((reached - case.opened_at).total_seconds())
    return {vendor: durations(waits) for vendor, waits in sorted(by_vendor.items())}


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
