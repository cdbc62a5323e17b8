"""Routing rules on the example configuration: first match wins, client rules first, and why not."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from escalator_router.domain.facts import TicketFacts
from escalator_router.domain.router import Router
from escalator_router.domain.rulebook import RuleBook
from escalator_shared.config import EscalatorConfig, load_config
from escalator_shared.events import Priority, Severity

EXAMPLE = load_config(Path(__file__).parents[2] / "deploy/config/example.yaml")
MONDAY_10_LONDON = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # GMT: UTC = London time


def facts(client: str = "acme", title: str = "Disk full", **extra: Any) -> TicketFacts:
    values: dict[str, Any] = {"priority": Priority.P3, "at": MONDAY_10_LONDON} | extra
    return TicketFacts(client_id=client, title=title, **values)


@pytest.mark.parametrize(
    ("ticket", "rule", "team", "priority"),
    [
        (facts(), "default", "helpdesk", Priority.P3),
        (facts(labels={"service": "m365"}), "m365-outage-to-vendor", "l2-technical", Priority.P3),
        (facts(priority=Priority.P1), "critical-to-l2", "l2-technical", Priority.P1),
        (
            facts(title="Veeam backup job failed", severity=Severity.MAJOR),
            "backup-failures",
            "l2-technical",
            Priority.P2,  # impact medium x urgency high
        ),
        (
            facts(title="Veeam backup job failed", severity=Severity.MINOR),
            "default",
            "helpdesk",
            Priority.P3,
        ),
        (facts(requester="CEO@acme.example"), "acme-vip-fast-track", "helpdesk", Priority.P2),
        (facts(requester="intern@acme.example"), "default", "helpdesk", Priority.P3),
        (
            facts("globex", "Firewall down at HQ"),
            "globex-firewall-to-network",
            "l2-network",
            Priority.P3,
        ),
        (facts("acme", "Firewall down at HQ"), "default", "helpdesk", Priority.P3),
        (facts("globex", "firewalls"), "default", "helpdesk", Priority.P3),  # whole words only
    ],
)
def test_the_first_matching_rule_decides(
    ticket: TicketFacts, rule: str, team: str, priority: Priority
) -> None:
    assignment = Router(EXAMPLE).route(ticket)
    assert (assignment.rule, assignment.team, assignment.priority) == (rule, team, priority)


def test_client_rules_come_before_global_rules() -> None:
    # A P1 from a VIP matches the client's own rule before the global P1 rule.
    assignment = Router(EXAMPLE).route(facts(requester="ceo@acme.example", priority=Priority.P1))
    assert assignment.rule == "acme-vip-fast-track"


def test_explain_gives_the_same_choice_with_reasons_for_earlier_rules() -> None:
    ticket = facts(title="Veeam backup job failed", severity=Severity.MAJOR)
    choice = RuleBook(EXAMPLE).explain(ticket)
    assert choice.rule == RuleBook(EXAMPLE).choose(ticket).rule == "backup-failures"
    assert [(v.rule, v.matched, v.reason) for v in choice.verdicts] == [
        ("acme-vip-fast-track", False, "requester None is not a VIP"),
        ("m365-outage-to-vendor", False, "label service=None, wanted 'm365'"),
        ("critical-to-l2", False, "priority P3 not in [P1]"),
        ("backup-failures", True, None),
    ]


def _config_with_rule(match: dict[str, Any], **client: Any) -> EscalatorConfig:
    data = EXAMPLE.model_dump(mode="json")
    data["routing"]["rules"] = [{"name": "probe", "match": match, "team": "l3-senior"}]
    data["clients"][0].update(client)
    for one in data["clients"]:
        one["routing"] = []
    return EscalatorConfig.model_validate(data)


@pytest.mark.parametrize(
    ("match", "ticket", "matched"),
    [
        ({"sources": ["email"]}, facts(source="email"), True),
        ({"sources": ["email"]}, facts(source="zabbix"), False),
        ({"integrations": ["acme-prometheus"]}, facts(integration="acme-prometheus"), True),
        ({"severities": ["critical"]}, facts(severity=Severity.MAJOR), False),
        ({"device_types": ["firewall"]}, facts(labels={"device_type": "firewall"}), True),
        ({"device_types": ["firewall"]}, facts(labels={"device_type": "server"}), False),
        ({"error_codes": ["AADSTS50076"]}, facts(error_codes=("aadsts50076",)), True),
        ({"error_codes": ["AADSTS50076"]}, facts(error_codes=("AADSTS50126",)), False),
        ({"title_regex": r"^CPU \d+%"}, facts(title="CPU 99% on SRV1"), True),
        ({"title_regex": r"^CPU \d+%"}, facts(title="Load: CPU 99%"), False),
        ({"body_regex": "(?i)ransom"}, facts(description="RANSOMWARE detected"), True),
        ({"keywords": ["outage"]}, facts(description="Full outage at site B"), True),
        ({"technologies": ["fortinet"]}, facts("acme"), True),
        ({"technologies": ["fortinet"]}, facts("globex"), False),
        ({"contract_tiers": ["gold"]}, facts("globex"), True),
        ({"contract_tiers": ["gold"]}, facts("acme"), False),
        ({"clients": ["globex"]}, facts("acme"), False),
        (
            {"labels": {"env": "prod", "role": "db"}},
            facts(labels={"env": "prod", "role": "db"}),
            True,
        ),
        ({"labels": {"env": "prod", "role": "db"}}, facts(labels={"env": "prod"}), False),
        # Business hours: ACME's are Mon-Fri 08:00-18:00 Europe/London.
        ({"business_hours": True}, facts(at=datetime(2026, 11, 23, 17, 59, tzinfo=UTC)), True),
        ({"business_hours": True}, facts(at=datetime(2026, 11, 23, 18, 0, tzinfo=UTC)), False),
        ({"business_hours": False}, facts(at=datetime(2026, 11, 22, 12, 0, tzinfo=UTC)), True),
        # In summer London is UTC+1: 07:30 UTC is 08:30 local, inside.
        ({"business_hours": True}, facts(at=datetime(2026, 7, 1, 7, 30, tzinfo=UTC)), True),
        # A night window over midnight, in the rule's own time zone.
        (
            {
                "during": [{"days": ["mon"], "start": "22:00", "end": "06:00"}],
                "time_zone": "Asia/Tokyo",
            },
            facts(at=datetime(2026, 11, 23, 19, 0, tzinfo=UTC)),  # Tue 04:00 in Tokyo
            True,
        ),
        (
            {
                "during": [{"days": ["mon"], "start": "22:00", "end": "06:00"}],
                "time_zone": "Asia/Tokyo",
            },
            facts(at=datetime(2026, 11, 23, 21, 0, tzinfo=UTC)),  # Tue 06:00 in Tokyo
            False,
        ),
    ],
)
def test_each_condition(match: dict[str, Any], ticket: TicketFacts, matched: bool) -> None:
    choice = RuleBook(_config_with_rule(match)).explain(ticket)
    assert (choice.rule == "probe") is matched
    assert choice.verdicts[-1].matched is matched
    if not matched:
        assert choice.verdicts[-1].reason


def test_rules_naming_other_clients_are_skipped_but_still_explained() -> None:
    book = RuleBook(_config_with_rule({"clients": ["globex"]}))
    assert book.choose(facts("acme")).rule == "default"
    assert book.explain(facts("acme")).verdicts[0].reason == "client acme not in [globex]"
