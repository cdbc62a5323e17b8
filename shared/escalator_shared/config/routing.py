"""Routing and escalation as an operator writes them: teams, rules, policies, major outages.

The router's domain (`escalator_router.domain`) evaluates these; the models here only describe and
validate. Targets are short strings so policies read like the escalation sheets MSPs publish:
`assignee`, `backup`, `manager`, `person:<id>`, `schedule:<id>`, `team:<id>`, `tier:<id>`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from escalator_shared.config.durations import Duration
from escalator_shared.config.notifications import Url
from escalator_shared.config.oncall import TimeWindow, check_time_zone
from escalator_shared.events.values import EscalationReason, Priority, Severity
from escalator_shared.priority import Level

TARGET_PATTERN: Final = r"^(assignee|backup|manager|(person|schedule|team|tier):[A-Za-z0-9._-]+)$"
Target = Annotated[str, StringConstraints(pattern=TARGET_PATTERN)]
"""Who a step pages: the ticket's assignee or backup, the team's manager, or a named entity."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _valid_regex(pattern: str | None, what: str) -> None:
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{what} is not a valid regular expression: {exc}") from exc


class Team(_Strict):
    """People of one tier who share a queue, an on-call schedule and a manager."""

    id: str = Field(min_length=1)
    name: str = ""
    tier: str
    members: list[str] = Field(default_factory=list)
    schedule: str | None = Field(default=None, description="Who of the team is on call.")
    manager: str | None = Field(default=None, description="Paged for unhappy customers.")
    escalation_policy: str | None = Field(
        default=None,
        description="Policy of tickets routed to the team (unless the rule names one).",
    )
    slack_webhook: Url | None = Field(default=None, description="The team's Slack channel.")
    teams_webhook: Url | None = Field(default=None, description="The team's Teams channel.")
    webhook_url: Url | None = Field(default=None, description="The team's signed webhook.")


class RuleMatch(_Strict):
    """Conditions of a routing rule; every condition given must hold (lists: any of them)."""

    clients: list[str] = Field(default_factory=list)
    contract_tiers: list[str] = Field(default_factory=list)
    technologies: list[str] = Field(default_factory=list, description="The client runs any.")
    sources: list[str] = Field(default_factory=list, description="Sender kinds, e.g. email.")
    integrations: list[str] = Field(default_factory=list)
    severities: list[Severity] = Field(default_factory=list)
    priorities: list[Priority] = Field(default_factory=list)
    device_types: list[str] = Field(
        default_factory=list, description="Values of the ticket's device_type label."
    )
    keywords: list[str] = Field(
        default_factory=list, description="Any of these words in title or description."
    )
    title_contains: str | None = None
    title_regex: str | None = None
    body_regex: str | None = None
    error_codes: list[str] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)
    vip: bool | None = Field(default=None, description="The requester is one of the client's VIPs.")
    business_hours: bool | None = Field(
        default=None, description="Inside (true) or outside (false) the client's business hours."
    )
    during: list[TimeWindow] = Field(
        default_factory=list, description="Times of day, in `time_zone` (else the client's)."
    )
    time_zone: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> RuleMatch:
        _valid_regex(self.title_regex, "title_regex")
        _valid_regex(self.body_regex, "body_regex")
        if self.time_zone is not None:
            check_time_zone(self.time_zone)
        return self


class RoutingTarget(_Strict):
    """Where a matched ticket goes, at what priority, under which escalation policy."""

    tier: str | None = Field(default=None, description="Defaults to the team's tier.")
    team: str | None = None
    schedule: str | None = Field(default=None, description="Defaults to the team's schedule.")
    assignee: str | None = Field(default=None, description="A fixed person instead of on-call.")
    backup: str | None = None
    vendor: str | None = Field(default=None, description="Also open a case with this vendor.")
    priority: Priority | None = None
    impact: Level | None = None
    urgency: Level | None = None
    escalation_policy: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RoutingTarget:
        if self.tier is None and self.team is None:
            raise ValueError("give a tier or a team")
        if (self.impact is None) != (self.urgency is None):
            raise ValueError("give impact and urgency together")
        if self.priority is not None and self.impact is not None:
            raise ValueError("give a priority or impact and urgency, not both")
        return self


class RoutingRule(RoutingTarget):
    """An ordered rule: the first whose match holds decides."""

    name: str = Field(min_length=1)
    match: RuleMatch = Field(default_factory=RuleMatch)


class Routing(_Strict):
    """Ordered rules, the default when none matches, and the default escalation policy."""

    rules: list[RoutingRule] = Field(default_factory=list)
    default: RoutingTarget
    escalation_policy: str | None = Field(
        default=None, description="Policy when neither the rule, the team nor the client names one."
    )


StepAction = Literal["next_step", "page_current", "ignore"] | list[Target]
"""What a trigger does: move up, page the current step again, nothing, or page these targets."""

DEFAULT_ACTIONS: Final[dict[EscalationReason, StepAction]] = {
    EscalationReason.NOT_ACKNOWLEDGED: "next_step",
    EscalationReason.SLA_WARNING: "page_current",
    EscalationReason.SLA_BREACHED: "next_step",
    EscalationReason.CUSTOMER_DISSATISFIED: ["manager"],
    EscalationReason.MANUAL: "next_step",
    # The notifier could reach nobody of the step on any channel.
    EscalationReason.UNREACHABLE: "next_step",
    # A flapping ticket pages at most once per flap window: the current step again.
    EscalationReason.FLAPPING: "page_current",
}


class EscalationStep(_Strict):
    """Page these targets; if nobody acknowledges within `escalate_after`, go to the next step."""

    name: str = ""
    targets: list[Target] = Field(min_length=1)
    escalate_after: Duration | None = Field(
        default=None, description="Wait before the next step; unset: wait for a trigger."
    )


class EscalationPolicy(_Strict):
    """Ordered steps, repeated `repeat` more times, and what each trigger does."""

    id: str = Field(min_length=1)
    name: str = ""
    steps: list[EscalationStep] = Field(min_length=1)
    repeat: int = Field(default=0, ge=0, le=9, description="Extra rounds after the last step.")
    triggers: dict[EscalationReason, StepAction] = Field(
        default_factory=dict, description="What each trigger does (else DEFAULT_ACTIONS)."
    )
    manager: str | None = Field(default=None, description="`manager` when the team has none.")

    @model_validator(mode="after")
    def _repeat_needs_a_wait(self) -> EscalationPolicy:
        if EscalationReason.NOT_ACKNOWLEDGED in self.triggers:
            raise ValueError("not_acknowledged is each step's escalate_after, not a trigger")
        if self.repeat and self.steps[-1].escalate_after is None:
            raise ValueError("repeat needs escalate_after on the last step (how long to wait)")
        return self

    def action(self, reason: EscalationReason) -> StepAction:
        """What `reason` does under this policy."""
        return self.triggers.get(reason, DEFAULT_ACTIONS[reason])


class MajorOutage(_Strict):
    """Many clients hit at once, or a flagged service down: page the executives."""

    distinct_clients: int = Field(default=3, ge=2, description="Clients within the window.")
    window: Duration = timedelta(minutes=15)
    priorities: list[Priority] = Field(default_factory=lambda: [Priority.P1, Priority.P2])
    service_label: str | None = Field(
        default="service", description="Tickets count together when this label agrees."
    )
    flagged_services: list[str] = Field(
        default_factory=list, description="Values of service_label that are major at once."
    )
    page: list[Target] = Field(default_factory=lambda: ["tier:executive"], min_length=1)
