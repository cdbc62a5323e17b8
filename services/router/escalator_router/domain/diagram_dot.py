"""A client's escalation path as a Graphviz DOT digraph, the same graph the Mermaid one draws.

Rules are boxes, tiers and teams rounded boxes, policy steps notes inside one cluster per policy,
vendors components; `dot -Tsvg` renders it. Every id and label is a quoted DOT string, so names
with quotes, backslashes or line breaks cannot break out of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from escalator_router.domain.escalation_graph import Destination, EscalationGraph, escalation_graph
from escalator_shared.config import EscalatorConfig

FONT = "DejaVu Sans"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Control characters other than line breaks: DOT has no escape for them.
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")


def client_diagram_dot(config: EscalatorConfig, client_id: str) -> str:
    """DOT text for one client: which rule sends what where, and how each chain climbs."""
    return render_dot(escalation_graph(config, client_id))


def render_dot(graph: EscalationGraph) -> str:
    """The graph as a left-to-right digraph."""
    lines = [
        "digraph escalation {",
        f"    graph [rankdir=LR, compound=true, fontname={quote(FONT)}, labelloc=t,"
        f" label={quote(f'{graph.client_name}: escalation path')}];",
        f"    node [fontname={quote(FONT)}, fontsize=11];",
        f"    edge [fontname={quote(FONT)}, fontsize=10];",
        f"    ticket [shape=oval, label={quote(f'{graph.client_name} ticket')}];",
        *_route_lines(graph),
        *_policy_lines(graph),
        "}",
    ]
    return "\n".join(lines) + "\n"


def quote(text: str) -> str:
    """`text` as a DOT double-quoted string; line breaks become centred `\\n` breaks."""
    escaped = _CONTROL.sub(" ", text.replace("\\", "\\\\").replace('"', '\\"'))
    return '"' + _LINE_BREAK.sub(r"\\n", escaped) + '"'


def _route_lines(graph: EscalationGraph) -> Iterator[str]:
    policies = {policy.id: index for index, policy in enumerate(graph.policies)}
    vendors: dict[str, str] = {}
    previous = "ticket"
    for index, rule in enumerate(graph.rules):
        node = f"rule{index}"
        label = quote(f"{rule.name}\n{rule.conditions}")
        yield f"    {node} [shape=box, label={label}];"
        yield f"    {previous} -> {node}" + ("" if index == 0 else ' [label="no"]') + ";"
        yield from _destination_lines(
            rule.destination, f"target{index}", (node, "yes"), policies, vendors
        )
        previous = node
    edge = (previous, "no" if graph.rules else "")
    yield from _destination_lines(graph.default, "target_default", edge, policies, vendors)


def _destination_lines(
    destination: Destination,
    node: str,
    edge: tuple[str, str],
    policies: dict[str, int],
    vendors: dict[str, str],
) -> Iterator[str]:
    """The target's node, the (source, label) edge into it, its policy and its vendor."""
    source, edge_label = edge
    label = f" [label={quote(edge_label)}]" if edge_label else ""
    yield f"    {node} [shape=box, style=rounded, label={quote(destination.label)}];"
    yield f"    {source} -> {node}{label};"
    cluster = policies[destination.policy]
    yield f"    {node} -> policy{cluster}_s0 [lhead=cluster_policy{cluster}];"
    if destination.vendor is not None:
        if destination.vendor not in vendors:
            vendors[destination.vendor] = f"vendor{len(vendors)}"
            name = destination.vendor_name or destination.vendor
            yield f"    {vendors[destination.vendor]} [shape=component, label={quote(name)}];"
        yield f'    {node} -> {vendors[destination.vendor]} [style=dashed, label="vendor case"];'


def _policy_lines(graph: EscalationGraph) -> Iterator[str]:
    for index, policy in enumerate(graph.policies):
        yield f"    subgraph cluster_policy{index} {{"
        yield f"        label={quote(policy.name)}; style=rounded;"
        for number, step in enumerate(policy.steps):
            text = f"{step.timing}\n{step.name}\n{', '.join(step.targets)}"
            yield f"        policy{index}_s{number} [shape=note, label={quote(text)}];"
            if number > 0:
                yield (
                    f"        policy{index}_s{number - 1} -> policy{index}_s{number}"
                    ' [label="not acknowledged"];'
                )
        yield "    }"
