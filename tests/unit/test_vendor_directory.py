"""The vendor directory: schema, cross-references, engagement codes, review flags."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from escalator_router.cli import main
from escalator_shared.config import ConfigError, load_config
from escalator_shared.config.vendor_references import review_warnings
from escalator_shared.config.vendors import Engagement, source_kind

EXAMPLE = Path(__file__).parents[2] / "deploy" / "config" / "example.yaml"


def _example() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    return loaded


def _load(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _problems(tmp_path: Path, data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(_load(tmp_path, data))
    return str(caught.value)


def test_the_example_directory_holds_contacts_case_data_engagement_and_commitments() -> None:
    config = load_config(EXAMPLE)
    microsoft, isp = config.vendor("microsoft"), config.vendor("fibrenet")
    assert microsoft.opening_channel == "email"
    assert isp.opening_channel == "phone"  # only a hotline
    assert isp.hotline is not None
    assert isp.hotline.time_zone == "Europe/London"
    assert [f.name for f in microsoft.requires if f.required] == [
        "tenant_id",
        "partner_id",
        "error_code",
        "affected_users",
    ]
    assert microsoft.requires[0].title == "Tenant ID"
    assert microsoft.requires[4].title == "Description"
    assert [source_kind(f.source) for f in microsoft.requires] == [
        "client",
        "vendor",
        "ticket",
        "technician",
        "ticket",
    ]
    assert microsoft.escalation_levels[0].after == timedelta(hours=4)
    assert microsoft.engage_when is not None
    assert microsoft.engage_when.worked_by == {"L2": timedelta(minutes=30)}
    assert config.client("acme").vendor_accounts["microsoft"]["tenant_id"]
    assert config.vendor_review_every == timedelta(days=91)


@pytest.mark.parametrize(
    ("codes", "matches"),
    [
        (["AADSTS50076"], True),
        (["aadsts50076"], True),  # codes compare without case
        (["0x80040115", "E42"], True),
        (["0x8007000E"], False),
        ([], False),
    ],
)
def test_engagement_error_codes_match_exactly_or_by_prefix(codes: list[str], matches: bool) -> None:
    engagement = Engagement(error_codes=["AADSTS*", "0x8004*", "E17"])
    assert engagement.matches_error_code(codes) is matches


def test_no_error_code_condition_engages_on_any_ticket() -> None:
    assert Engagement().matches_error_code([])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["clients"][0]["vendor_accounts"].update({"dell": {"tag": "x"}}),
            "clients[0].vendor_accounts.dell: unknown vendor 'dell'",
        ),
        (
            lambda d: d["vendors"][1].update({"channel": "email"}),
            "vendors[1].channel: email needs a support_email",
        ),
        (
            lambda d: d["vendors"][0]["requires"].append(
                {"name": "contract", "source": "vendor.account.contract_no"}
            ),
            "vendors[0].requires[5].source: the vendor's account has no 'contract_no'",
        ),
        (
            lambda d: d["vendors"][0]["requires"].append(
                {"name": "tenant_id", "source": "technician"}
            ),
            "vendors[0].requires: 'tenant_id' is listed twice",
        ),
        (
            lambda d: d["vendors"][0]["engage_when"]["worked_by"].update({"L7": "1h"}),
            "vendors[0].engage_when.worked_by.L7: unknown tier 'L7'",
        ),
        (
            lambda d: d["vendors"][0]["requires"].append({"name": "x", "source": "ticket.colour"}),
            "vendors[0].requires[5].source: Value error, unknown source 'ticket.colour'; expected ",
        ),
        (
            lambda d: d["vendors"][1]["hotline"].update({"time_zone": "Mars/Olympus"}),
            "vendors[1].hotline.time_zone: Value error, unknown time zone 'Mars/Olympus'",
        ),
    ],
)
def test_directory_mistakes_are_refused_by_key_path(
    tmp_path: Path, change: Any, expected: str
) -> None:
    data = _example()
    change(data)
    assert expected in _problems(tmp_path, data)


def test_entries_not_reviewed_within_a_quarter_are_flagged() -> None:
    config = load_config(EXAMPLE)
    assert list(review_warnings(config, date(2026, 11, 23))) == []
    flagged = list(review_warnings(config, date(2027, 1, 1)))
    assert len(flagged) == 1
    assert flagged[0].startswith("vendors[1] (fibrenet): last reviewed 2026-09-15, more than 91")


def test_config_validate_flags_a_never_reviewed_vendor_but_accepts_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _example()
    del data["vendors"][0]["last_reviewed"]
    assert main(["config", "validate", "--config", str(_load(tmp_path, data))]) == 0
    captured = capsys.readouterr()
    assert "! vendors[0] (microsoft): never reviewed (no last_reviewed)" in captured.err
    assert "configuration OK" in captured.out
