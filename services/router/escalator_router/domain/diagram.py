"""A client's escalation path as a Mermaid flowchart: rules in order, then each policy's steps.

This is the "visual escalation chain" MSPs publish for staff and clients; render it with any
Mermaid renderer (GitHub and Grafana text panels show it as is; `mmdc` writes SVG). The same
graph as Graphviz DOT is `diagram_dot`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from escalator_router.domain.escalation_graph import Destination, PolicyNode, escalation_graph
from escalator_shared.config import EscalatorConfig


def client_diagram(config: EscalatorConfig, client_id: str) -> str:
    """Mermaid text for one client: which rule sends what where, and how each chain climbs."""
    graph = escalation_graph(config, client_id)
    lines = ["flowchart TD", f'    ticket(["{_text(graph.client_name)} ticket"])']
    previous = "ticket"
    for index, rule in enumerate(graph.rules):
        node = f"rule{index}"
        lines.append(f'    {node}{{"{_text(rule.name)}<br/>{_text(rule.conditions)}"}}')
        lines.append(
            f"    {previous} --> {node}" if index == 0 else f"    {previous} -- no --> {node}"
        )
        lines.append(f"    {node} -- yes --> {_target_node(rule.destination, f'target{index}')}")
        previous = node
    edge = "-- no -->" if graph.rules else "-->"
    lines.append(f"    {previous} {edge} {_target_node(graph.default, 'target_default')}")
    for policy in graph.policies:
        lines.extend(_policy_lines(policy))
    return "\n".join(lines) + "\n"


def _target_node(destination: Destination, node: str) -> str:
    label = destination.label
    if destination.vendor:
        label += f" + vendor case ({destination.vendor})"
    return f'{node}["{_text(label)}"] --> {_node_id("policy", destination.policy)}'


def _policy_lines(policy: PolicyNode) -> Iterator[str]:
    node = _node_id("policy", policy.id)
    yield f'    subgraph {node} ["{_text(policy.name)}"]'
    previous = None
    for index, step in enumerate(policy.steps):
        current = f"{node}_s{index}"
        label = f"{step.timing} {step.name}: {', '.join(step.targets)}"
        yield f'        {current}["{_text(label)}"]'
        if previous is not None:
            yield f"        {previous} -- not acknowledged --> {current}"
        previous = current
    yield "    end"


def _node_id(prefix: str, name: str) -> str:
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9_]', '_', name)}"


def _text(value: str) -> str:
    return value.replace('"', "'")
