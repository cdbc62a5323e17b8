"""Which clocks a ticket gets: the policy its facts match, each metric's target and calendar.

Metrics: `response` (first response), `update` (periodic update while open), `resolution`,
`ola:<tier>` (the tier's internal hand-off target) and, per vendor case,
`vendor_acknowledgement` and `vendor_resolution` (the vendor's own commitment).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from escalator_shared.config import EscalatorConfig
from escalator_shared.config.sla import (
    AROUND_THE_CLOCK,
    CLIENT_CALENDAR,
    SlaPolicy,
    TargetValue,
    target_for,
)
from escalator_shared.events import Priority
from escalator_shared.events.values import TicketType
from escalator_sla_timer.domain.calendars import BusinessCalendar
from escalator_sla_timer.domain.clock import Alerting, Clock, retarget

RESPONSE: Final = "response"
UPDATE: Final = "update"
RESOLUTION: Final = "resolution"
OLA_PREFIX: Final = "ola:"
VENDOR_ACKNOWLEDGEMENT: Final = "vendor_acknowledgement"
VENDOR_RESOLUTION: Final = "vendor_resolution"
VENDOR_METRICS: Final = frozenset({VENDOR_ACKNOWLEDGEMENT, VENDOR_RESOLUTION})


class NoPolicyError(LookupError):
    """No SLA policy matches the ticket (the configuration check prevents this)."""


@dataclass(frozen=True)
class TicketFacts:
    """What policy choice and targets depend on."""

    client_id: str
    priority: Priority
    ticket_type: TicketType
    source: str


@dataclass(frozen=True)
class ClockPlan:
    """A clock to start."""

    metric: str
    policy: str
    calendar: str
    target: timedelta
    alerting: Alerting


def is_ola(metric: str) -> bool:
    """Whether the metric is a tier's OLA clock."""
    return metric.startswith(OLA_PREFIX)


def metric_kind(metric: str) -> str:
    """The metric with every tier's OLA as one kind, `ola` (metrics' labels, report rows)."""
    return "ola" if is_ola(metric) else metric


class CalendarBook:
    """Business calendars by key: '24x7', 'client:<id>' or a configured calendar's id."""

    def __init__(self, config: EscalatorConfig) -> None:
        self._config = config
        self._built: dict[str, BusinessCalendar] = {}

    def key_for(self, policy_calendar: str, client_id: str) -> str:
        """The key of a policy's calendar for one client."""
        if policy_calendar == CLIENT_CALENDAR:
            return f"{CLIENT_CALENDAR}:{client_id}"
        return policy_calendar

    def get(self, key: str) -> BusinessCalendar:
        """The calendar; one removed from the configuration counts around the clock."""
        calendar = self._built.get(key)
        if calendar is None:
            calendar = self._build(key)
            self._built[key] = calendar
        return calendar

    def _build(self, key: str) -> BusinessCalendar:
        try:
            if key.startswith(f"{CLIENT_CALENDAR}:"):
                return BusinessCalendar.for_client(self._config.client(key.split(":", 1)[1]))
            if key != AROUND_THE_CLOCK:
                return BusinessCalendar.from_config(self._config.calendar(key))
        except KeyError:
            pass  # removed since the clock started: count around the clock rather than stall
        return BusinessCalendar.around_the_clock()


class Planner:
    """Plans clocks from the configuration."""

    def __init__(self, config: EscalatorConfig, calendars: CalendarBook) -> None:
        self._config = config
        self.calendars = calendars

    def policy_for(self, facts: TicketFacts) -> SlaPolicy:
        """The first policy whose filters match."""
        policy = self._config.sla_policy_for(
            facts.client_id, facts.priority, facts.ticket_type, facts.source
        )
        if policy is None:
            raise NoPolicyError(f"no SLA policy matches client {facts.client_id!r}")
        return policy

    def policy(self, policy_id: str) -> SlaPolicy | None:
        """A policy by id, None if it left the configuration."""
        try:
            return self._config.sla_policy(policy_id)
        except KeyError:
            return None

    def plan(self, facts: TicketFacts, metric: str, at: datetime) -> ClockPlan | None:
        """The clock for one SLA or OLA metric, None when the policy sets no target for it."""
        policy = self.policy_for(facts)
        value = _target_value(policy, facts, metric)
        if value is None:
            return None
        calendar = self.calendars.key_for(policy.calendar, facts.client_id)
        target = resolve_target(value, self.calendars.get(calendar), at)
        return ClockPlan(metric, policy.id, calendar, target, _alerting(policy))

    def retargeted(
        self,
        facts: TicketFacts,
        metric: str,
        clock: Clock,
        calendar: BusinessCalendar,
        at: datetime,
    ) -> Clock | None:
        """A clock under the targets of changed facts (a new priority) from `at`, in its own
        calendar; None when its target stays. `same_business_day` counts from the clock's start
        when the policy keeps the time used (the day it started in), from `at` on a restart."""
        policy = self.policy_for(facts)
        value = _target_value(policy, facts, metric)
        if value is None:
            return None
        restart = policy.on_priority_change == "restart"
        target = resolve_target(value, calendar, at if restart else clock.started_at)
        if target == clock.target:
            return None
        return retarget(clock, target, at, calendar, restart=restart)

    def tier_reached(self, targets: Sequence[str]) -> str | None:
        """The tier an escalation step hands the ticket to: the first of its targets naming a
        tier (`tier:<id>`, or `team:<id>` of a configured team); None if none does (the
        assignee, a manager, a person or a schedule keep it where it is)."""
        for target in targets:
            kind, _, name = target.partition(":")
            if kind == "tier" and name:
                return name
            if kind == "team":
                team = next((t for t in self._config.teams if t.id == name), None)
                if team is not None:
                    return team.tier
        return None

    def vendor_plans(self, vendor_id: str, priority: Priority) -> list[ClockPlan]:
        """The vendor's acknowledgement and resolution clocks, as its commitment sets them."""
        try:
            commitment = self._config.vendor(vendor_id).commitment
        except KeyError:
            return []
        plans = []
        for metric, targets in (
            (VENDOR_ACKNOWLEDGEMENT, commitment.acknowledge),
            (VENDOR_RESOLUTION, commitment.resolve),
        ):
            if targets:
                target = target_for(targets, priority)
                assert isinstance(target, timedelta)  # vendor targets are durations
                plans.append(
                    ClockPlan(
                        metric, f"vendor:{vendor_id}", commitment.calendar, target, Alerting()
                    )
                )
        return plans


def resolve_target(target: TargetValue, calendar: BusinessCalendar, since: datetime) -> timedelta:
    """A target as business time: a duration as it is; `same_business_day` up to the close of
    the business day `since` falls in (the next one's when none is left that day)."""
    if isinstance(target, timedelta):
        return target
    return calendar.business_time(since, calendar.end_of_business_day(since))


def _target_value(policy: SlaPolicy, facts: TicketFacts, metric: str) -> TargetValue | None:
    targets: Mapping[Priority, TargetValue]
    if is_ola(metric):
        tier_target = policy.ola.get(metric.removeprefix(OLA_PREFIX))
        if tier_target is None:
            return None
        targets = {facts.priority: tier_target}
    else:
        targets = {RESPONSE: policy.response, UPDATE: policy.update}.get(metric, policy.resolution)
        if not targets:
            return None
    return target_for(targets, facts.priority)


def _alerting(policy: SlaPolicy) -> Alerting:
    reminders = policy.remind_after_breach
    return Alerting(
        warn_at=tuple(policy.warn_at),
        remind_every=reminders.every if reminders else None,
        remind_limit=reminders.limit if reminders else 0,
    )
