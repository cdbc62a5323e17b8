"""`config validate`: shadowed rules, coverage gaps, and the CLI's exit status and output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from escalator_router.cli import main
from escalator_router.config_check import config_problems
from escalator_router.domain.diagram import client_diagram
from escalator_router.domain.shadowing import shadowed_rules
from escalator_shared.config import EscalatorConfig
from tests.unit.test_routing_rules import EXAMPLE

EXAMPLE_FILE = Path(__file__).parents[2] / "deploy/config/example.yaml"
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def with_rules(rules: list[dict[str, Any]], **sections: Any) -> EscalatorConfig:
    data = EXAMPLE.model_dump(mode="json")
    data["routing"]["rules"] = [{"team": "l2-technical", **rule} for rule in rules]
    return EscalatorConfig.model_validate(data | sections)


@pytest.mark.parametrize(
    ("earlier", "later", "shadowed"),
    [
        ({"priorities": ["P1", "P2"]}, {"priorities": ["P1"]}, True),
        ({"priorities": ["P1"]}, {"priorities": ["P1", "P2"]}, False),
        ({}, {"keywords": ["vpn"]}, True),  # an empty match takes everything
        ({"keywords": ["vpn", "firewall"]}, {"keywords": ["VPN"], "severities": ["major"]}, True),
        ({"labels": {"env": "prod"}}, {"labels": {"env": "prod", "role": "db"}}, True),
        ({"labels": {"env": "prod", "role": "db"}}, {"labels": {"env": "prod"}}, False),
        ({"title_regex": "^CPU"}, {"title_regex": "^CPU"}, True),
        ({"title_regex": "^CPU"}, {"title_regex": "^CPU 9"}, False),  # not proven
        ({"clients": ["acme"]}, {"clients": ["acme"], "priorities": ["P1"]}, True),
        ({"clients": ["acme"]}, {"priorities": ["P1"]}, False),  # globex still reaches it
        ({"technologies": ["m365"]}, {"priorities": ["P1"]}, False),  # initech runs no m365
        ({"vip": True}, {"vip": False}, False),
    ],
)
def test_a_rule_covered_by_an_earlier_one_is_reported(
    earlier: dict[str, Any], later: dict[str, Any], shadowed: bool
) -> None:
    config = with_rules([{"name": "first", "match": earlier}, {"name": "second", "match": later}])
    problems = list(shadowed_rules(config))
    assert bool(problems) is shadowed
    if shadowed:
        assert problems == [
            "routing.rules[1]: rule 'second' can never match: rule 'first' (routing.rules[0]) "
            "comes first and matches everything it does"
        ]


def test_the_example_configuration_is_clean() -> None:
    assert list(config_problems(EXAMPLE, MONDAY, timedelta(days=28))) == []


def test_a_business_hours_only_schedule_has_gaps_unless_it_allows_them() -> None:
    data = EXAMPLE.model_dump(mode="json")
    data["schedules"][0]["layers"][0]["active"] = [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}
    ]
    gappy = EscalatorConfig.model_validate(data)
    [problem] = list(config_problems(gappy, MONDAY, timedelta(days=7)))
    # Four weeknights and the weekend (Fri 17:00 to Mon 09:00) within the week.
    assert problem == (
        "schedules[0] (helpdesk-oncall): nobody on call Mon 2026-11-23 17:00 to Tue 09:00, "
        "Tue 2026-11-24 17:00 to Wed 09:00, Wed 2026-11-25 17:00 to Thu 09:00 and 2 more "
        "(Europe/London); add a layer or set allow_gaps: true"
    )
    data["schedules"][0]["allow_gaps"] = True
    assert (
        list(config_problems(EscalatorConfig.model_validate(data), MONDAY, timedelta(days=7))) == []
    )


def test_the_cli_validates_and_exits_non_zero_on_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "validate", "--config", str(EXAMPLE_FILE)]) == 0
    assert "configuration OK: 3 global rules, 2 client rules" in capsys.readouterr().out
    data = yaml.safe_load(EXAMPLE_FILE.read_text())
    data["routing"]["rules"].append(
        {"name": "never", "match": {"priorities": ["P1"], "keywords": ["x"]}, "team": "helpdesk"}
    )
    broken = tmp_path / "config.yaml"
    broken.write_text(yaml.safe_dump(data))
    assert main(["config", "validate", "--config", str(broken)]) == 1
    assert "rule 'never' can never match: rule 'critical-to-l2'" in capsys.readouterr().err
    data["routing"]["rules"][-1]["team"] = "nobody"
    broken.write_text(yaml.safe_dump(data))
    assert main(["config", "validate", "--config", str(broken)]) == 1
    assert "routing.rules[3].team: unknown team 'nobody'" in capsys.readouterr().err


def test_the_cli_explains_an_alert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alert = tmp_path / "alert.json"
    alert.write_text('{"client": "globex", "title": "VPN down", "severity": "major"}')
    args = [
        "explain",
        str(alert),
        "--at",
        "2026-11-23T15:00:00+00:00",
        "--config",
        str(EXAMPLE_FILE),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "-> rule globex-firewall-to-network: L2 / l2-network, priority P2" in out
    assert "T+0 L1 on call: Bob Okafor by sms, slack, email" in out


def test_a_client_diagram_shows_rules_in_order_and_each_policy() -> None:
    text = client_diagram(EXAMPLE, "acme")
    assert text.startswith("flowchart TD\n")
    assert 'rule0{"acme-vip-fast-track<br/>vip True"}' in text
    assert 'rule2 -- yes --> target2["L2 Technical specialists"] --> policy_p1_fast_track' in text
    assert 'policy_standard_s1["T+15 min L2 on call: team:l2-technical"]' in text
    assert "globex-firewall-to-network" not in text  # another client's exception
