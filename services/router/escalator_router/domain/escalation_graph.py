"""A client's escalation path as plain data: its rules in order, where each sends the ticket, and
the steps of every policy they use. The Mermaid and Graphviz renderers both draw this one walk
over the configuration, so the two pictures cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from escalator_router.domain.escalation_chain import plan
from escalator_router.domain.router import Router
from escalator_shared.config import (
    EscalationPolicy,
    EscalatorConfig,
    RoutingTarget,
    RuleMatch,
    Team,
)


@dataclass(frozen=True)
class Destination:
    """Where a rule (or the default) sends a ticket: a tier and team, maybe a vendor, a policy."""

    label: str
    vendor: str | None
    vendor_name: str | None
    policy: str


@dataclass(frozen=True)
class RuleNode:
    """One routing rule, its conditions in words and where a match goes."""

    name: str
    conditions: str
    destination: Destination


@dataclass(frozen=True)
class StepNode:
    """One step of a policy as it unfolds with nobody acknowledging, e.g. `T+15 min`."""

    timing: str
    name: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class PolicyNode:
    """An escalation policy and its planned steps."""

    id: str
    name: str
    steps: tuple[StepNode, ...]


@dataclass(frozen=True)
class EscalationGraph:
    """Everything a picture of one client's escalation path shows."""

    client_name: str
    rules: tuple[RuleNode, ...]
    default: Destination
    policies: tuple[PolicyNode, ...]


def escalation_graph(config: EscalatorConfig, client_id: str) -> EscalationGraph:
    """The client's own rules, then the global rules that may apply to it, the default, and the
    policies they use in order of first use."""
    client = config.client(client_id)
    router = Router(config)
    vendors = {vendor.id: vendor.name for vendor in config.vendors}
    used: dict[str, EscalationPolicy] = {}

    def destination(target: RoutingTarget) -> Destination:
        policy = router.assigner.policy_for(target, client_id)
        used.setdefault(policy.id, policy)
        label = _target_label(router.directory.teams, target)
        name = vendors.get(target.vendor, target.vendor) if target.vendor else None
        return Destination(label, target.vendor, name, policy.id)

    rules = [*client.routing, *(r for r in config.routing.rules if _may_apply(r.match, client_id))]
    nodes = tuple(
        RuleNode(rule.name, describe_match(rule.match), destination(rule)) for rule in rules
    )
    default = destination(config.routing.default)
    policies = tuple(_policy_node(policy) for policy in used.values())
    return EscalationGraph(client.name, nodes, default, policies)


def describe_match(match: RuleMatch) -> str:
    """The rule's conditions in a few words, e.g. `priority P1; keywords firewall, vpn`."""
    parts = [
        f"{name.replace('_', ' ')} {', '.join(str(v) for v in value)}"
        for name, value in match
        if isinstance(value, list) and value and name != "during"
    ]
    parts += [f"{k}={v}" for k, v in match.labels.items()]
    parts += [f"{name.replace('_', ' ')} {value}" for name, value in _scalars(match)]
    if match.during:
        parts.append("at set times")
    return "; ".join(parts) or "everything"


def _scalars(match: RuleMatch) -> Iterator[tuple[str, object]]:
    for name in ("title_contains", "title_regex", "body_regex", "vip", "business_hours"):
        value = getattr(match, name)
        if value is not None:
            yield name, value


def _may_apply(match: RuleMatch, client_id: str) -> bool:
    return not match.clients or client_id in match.clients


def _target_label(teams: Mapping[str, Team], target: RoutingTarget) -> str:
    team = teams.get(target.team) if target.team else None
    tier = target.tier or (team.tier if team else "")
    return f"{tier} {team.name or team.id}" if team else tier


def _policy_node(policy: EscalationPolicy) -> PolicyNode:
    steps = []
    for planned in plan(policy):
        step = policy.steps[planned.step]
        when = "T+0" if planned.offset_seconds == 0 else f"T+{planned.offset_seconds / 60:g} min"
        steps.append(StepNode(when, step.name or f"step {planned.step + 1}", tuple(step.targets)))
    return PolicyNode(policy.id, policy.name or policy.id, tuple(steps))
