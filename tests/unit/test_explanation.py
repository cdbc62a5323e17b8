"""The explain view on the example configuration: rule, on call, timeline with channels, SLA."""

from __future__ import annotations

from datetime import UTC, datetime

from escalator_router.domain.explanation import explain
from escalator_router.domain.facts import TicketFacts
from escalator_router.domain.router import Router
from escalator_router.explain_request import answer
from escalator_shared.events import Priority
from tests.unit.test_routing_rules import EXAMPLE

MONDAY_10_LONDON = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_a_p1_pages_l2_and_l3_at_once_then_the_manager_and_executives() -> None:
    facts = TicketFacts("acme", Priority.P1, "Core switch down", MONDAY_10_LONDON)
    result = answer(explain(Router(EXAMPLE), EXAMPLE, facts), EXAMPLE)
    assert (result["rule"], result["tier"], result["team"]) == (
        "critical-to-l2",
        "L2",
        "l2-technical",
    )
    assert (result["on_call"], result["backup"]) == ("bob", "carol")
    assert [entry["text"] for entry in result["timeline"]] == [
        "T+0 L2 and L3 at once: Bob Okafor by sms, slack, email; Erin Walsh by sms, email",
        "T+10 min Manager and executives: Carol Jensen by sms, email; Frank Osei by sms, email",
        "T+25 min L2 and L3 at once: Bob Okafor by sms, slack, email; Erin Walsh by sms, email",
        "T+35 min Manager and executives: Carol Jensen by sms, email; Frank Osei by sms, email",
    ]
    assert result["sla_targets_seconds"] == {"response": 15 * 60, "resolution": 3600}
    assert [v["rule"] for v in result["rules_checked"]] == [
        "acme-vip-fast-track",
        "m365-outage-to-vendor",
        "critical-to-l2",
    ]


def test_a_p3_climbs_l1_l2_l3_and_resolves_on_call_at_each_step() -> None:
    # Monday 08:50 London: Dave's week until the 09:00 hand-off, then Alice's.
    facts = TicketFacts(
        "acme", Priority.P3, "Printer offline", datetime(2026, 11, 23, 8, 50, tzinfo=UTC)
    )
    result = answer(explain(Router(EXAMPLE), EXAMPLE, facts), EXAMPLE)
    assert (result["on_call"], result["backup"]) == ("dave", "grace")  # L2 also hands off at 09:00
    assert [entry["text"] for entry in result["timeline"]] == [
        "T+0 L1 on call: Dave Moreau by email",
        "T+15 min L2 on call: Bob Okafor by email",
        "T+45 min L3 senior: Erin Walsh by email",
        "T+105 min Service manager: Carol Jensen by email",
    ]
    assert result["vendor"] is None


def test_a_vendor_rule_says_the_vendor_would_be_engaged() -> None:
    facts = TicketFacts(
        "acme", Priority.P3, "Mailbox", MONDAY_10_LONDON, labels={"service": "m365"}
    )
    result = answer(explain(Router(EXAMPLE), EXAMPLE, facts), EXAMPLE)
    assert (result["vendor"], result["vendor_name"]) == ("microsoft", "Microsoft 365")
