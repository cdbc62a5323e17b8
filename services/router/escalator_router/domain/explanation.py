"""The explain view: for a ticket's facts, everything routing decides and the chain it starts.

Built from the same `Router` the service runs, so the answer matches what then happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from escalator_router.domain.assignment import Assignment
from escalator_router.domain.escalation_chain import plan
from escalator_router.domain.facts import TicketFacts
from escalator_router.domain.major_outage import watch
from escalator_router.domain.router import Router
from escalator_router.domain.rulebook import RuleVerdict
from escalator_router.domain.targets import resolve_targets
from escalator_shared.config import EscalatorConfig
from escalator_shared.config.sla import target_for, ticket_type_for


@dataclass(frozen=True)
class PlannedPage:
    """One person paged at one step, and on which channels."""

    person: str
    name: str
    via: str
    channels: tuple[str, ...]


@dataclass(frozen=True)
class TimelineEntry:
    """A step as it would unfold if nobody acknowledged."""

    offset_seconds: float
    at: datetime
    step: int
    round: int
    name: str
    pages: tuple[PlannedPage, ...]


@dataclass(frozen=True)
class Explanation:
    """The whole answer of the explain view."""

    verdicts: tuple[RuleVerdict, ...]
    assignment: Assignment
    timeline: tuple[TimelineEntry, ...]
    sla_targets: dict[str, int | str]
    vendor: str | None
    major_outage: str | None


def explain(router: Router, config: EscalatorConfig, facts: TicketFacts) -> Explanation:
    """What routing decides for the facts at `facts.at`, and the chain that would follow."""
    choice, assignment = router.explain(facts)
    timeline = []
    for planned in plan(assignment.policy):
        at = facts.at + timedelta(seconds=planned.offset_seconds)
        step = assignment.policy.steps[planned.step]
        pages = resolve_targets(step.targets, router.directory, assignment.responders, at)
        timeline.append(
            TimelineEntry(
                offset_seconds=planned.offset_seconds,
                at=at,
                step=planned.step,
                round=planned.round,
                name=step.name or f"step {planned.step + 1}",
                pages=tuple(
                    _planned_page(config, p.person, p.via, assignment, facts.client_id)
                    for p in pages
                ),
            )
        )
    return Explanation(
        verdicts=choice.verdicts,
        assignment=assignment,
        timeline=tuple(timeline),
        sla_targets=_sla_targets(config, facts, assignment),
        vendor=assignment.vendor,
        major_outage=_major_outage(config, facts, assignment),
    )


def _major_outage(
    config: EscalatorConfig, facts: TicketFacts, assignment: Assignment
) -> str | None:
    policy = config.major_outage
    taking_part = watch(policy, assignment.priority, facts.labels)
    if policy is None or taking_part is None:
        return None
    paged = ", ".join(policy.page)
    if taking_part.flagged:
        return f"flagged service {taking_part.service}: pages {paged} at once"
    minutes = policy.window.total_seconds() / 60
    return (
        f"counts toward a major outage on {taking_part.service}: {policy.distinct_clients} "
        f"clients within {minutes:g} min page {paged}"
    )


def _planned_page(
    config: EscalatorConfig, person_id: str, via: str, assignment: Assignment, client_id: str
) -> PlannedPage:
    person = config.person(person_id)
    reachable = config.destinations(person, assignment.team, client_id)
    channels = config.notifications.channels_for(list(reachable), assignment.priority)
    return PlannedPage(person_id, person.name, via, tuple(channels))


def _sla_targets(
    config: EscalatorConfig, facts: TicketFacts, assignment: Assignment
) -> dict[str, int | str]:
    """The first-response and resolution targets the SLA timer will run: business seconds, or
    'same_business_day'."""
    ticket_type = ticket_type_for(facts.requester)
    policy = config.sla_policy_for(facts.client_id, assignment.priority, ticket_type, facts.source)
    if policy is None:
        return {}
    targets: dict[str, int | str] = {}
    for metric, by_priority in (("response", policy.response), ("resolution", policy.resolution)):
        if by_priority:
            target = target_for(by_priority, assignment.priority)
            targets[metric] = target if isinstance(target, str) else int(target.total_seconds())
    return targets
