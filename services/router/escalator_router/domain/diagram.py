"""A client's escalation path as a Mermaid flowchart: rules in order, then each policy's steps.

This is the "visual escalation chain" MSPs publish for staff and clients; render it with any
Mermaid renderer (GitHub and Grafana text panels show it as is; `mmdc` writes SVG).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from escalator_router.domain.escalation_chain import plan
from escalator_router.domain.router import Router
from escalator_shared.config import (
    EscalationPolicy,
    EscalatorConfig,
    RoutingTarget,
    RuleMatch,
    Team,
)


def client_diagram(config: EscalatorConfig, client_id: str) -> str:
    """Mermaid text for one client: which rule sends what where, and how each chain climbs."""
    client = config.client(client_id)
    router = Router(config)
    rules = [*client.routing, *(r for r in config.routing.rules if _may_apply(r.match, client_id))]
    lines = ["flowchart TD", f'    ticket(["{_text(client.name)} ticket"])']
    previous = "ticket"
    used: dict[str, EscalationPolicy] = {}
    for index, rule in enumerate(rules):
        node = f"rule{index}"
        lines.append(f'    {node}{{"{_text(rule.name)}<br/>{_text(describe_match(rule.match))}"}}')
        lines.append(
            f"    {previous} --> {node}" if index == 0 else f"    {previous} -- no --> {node}"
        )
        policy = router.assigner.policy_for(rule, client_id)
        used[policy.id] = policy
        target = _target_node(router.directory.teams, rule, policy, f"target{index}")
        lines.append(f"    {node} -- yes --> {target}")
        previous = node
    default_policy = router.assigner.policy_for(config.routing.default, client_id)
    used[default_policy.id] = default_policy
    edge = "-- no -->" if rules else "-->"
    default = _target_node(
        router.directory.teams, config.routing.default, default_policy, "target_default"
    )
    lines.append(f"    {previous} {edge} {default}")
    for policy in used.values():
        lines.extend(_policy_lines(policy))
    return "\n".join(lines) + "\n"


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


def _target_node(
    teams: Mapping[str, Team], target: RoutingTarget, policy: EscalationPolicy, node: str
) -> str:
    team = teams.get(target.team) if target.team else None
    tier = target.tier or (team.tier if team else "")
    label = f"{tier} {team.name or team.id}" if team else tier
    if target.vendor:
        label += f" + vendor case ({target.vendor})"
    return f'{node}["{_text(label)}"] --> {_node_id("policy", policy.id)}'


def _policy_lines(policy: EscalationPolicy) -> Iterator[str]:
    node = _node_id("policy", policy.id)
    yield f'    subgraph {node} ["{_text(policy.name or policy.id)}"]'
    previous = None
    for index, planned in enumerate(plan(policy)):
        step = policy.steps[planned.step]
        when = "T+0" if planned.offset_seconds == 0 else f"T+{planned.offset_seconds / 60:g} min"
        label = f"{when} {step.name or f'step {planned.step + 1}'}: {', '.join(step.targets)}"
        current = f"{node}_s{index}"
        yield f'        {current}["{_text(label)}"]'
        if previous is not None:
            yield f"        {previous} -- not acknowledged --> {current}"
        previous = current
    yield "    end"


def _node_id(prefix: str, name: str) -> str:
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9_]', '_', name)}"


def _text(value: str) -> str:
    return value.replace('"', "'")
