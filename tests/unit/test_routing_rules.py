"""Routing rules: ordered, first match wins, default otherwise."""

from __future__ import annotations

import pytest

from escalator_router.domain.routing_rules import TicketFacts, decide
from escalator_shared.config import Routing, RoutingRule, RoutingTarget, RuleMatch
from escalator_shared.events import Priority

ROUTING = Routing(
    rules=[
        RoutingRule(
            name="m365", match=RuleMatch(labels={"service": "m365"}), tier="L2", vendor="microsoft"
        ),
        RoutingRule(name="p1", match=RuleMatch(priorities=[Priority.P1]), tier="L2"),
        RoutingRule(
            name="globex-firewall",
            match=RuleMatch(clients=["globex"], title_contains="FIREWALL"),
            tier="L3",
        ),
    ],
    default=RoutingTarget(tier="L1", assignee="alice"),
)


@pytest.mark.parametrize(
    ("facts", "rule", "tier"),
    [
        (TicketFacts("acme", Priority.P1, "x", {"service": "m365"}), "m365", "L2"),
        (TicketFacts("acme", Priority.P1, "x", {"service": "exchange"}), "p1", "L2"),
        (TicketFacts("globex", Priority.P3, "Firewall down"), "globex-firewall", "L3"),
        (TicketFacts("acme", Priority.P3, "Firewall down"), "default", "L1"),
        (TicketFacts("globex", Priority.P4, "Printer jam"), "default", "L1"),
    ],
)
def test_first_matching_rule_decides(facts: TicketFacts, rule: str, tier: str) -> None:
    decision = decide(ROUTING, facts)
    assert (decision.rule, decision.target.tier) == (rule, tier)


def test_default_target_carries_the_assignee() -> None:
    decision = decide(ROUTING, TicketFacts("acme", Priority.P5, "x"))
    assert decision.target.assignee == "alice"
    assert decision.target.vendor is None
