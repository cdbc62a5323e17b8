"""The configuration loader accepts the example and names the file, key and problem otherwise."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from escalator_shared.config import ConfigError, load_config, parse_duration
from escalator_shared.events import Priority

EXAMPLE = Path(__file__).parents[2] / "deploy" / "config" / "example.yaml"


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _example() -> dict[str, object]:
    loaded: dict[str, object] = yaml.safe_load(EXAMPLE.read_text())
    return loaded


def test_example_configuration_is_valid() -> None:
    config = load_config(EXAMPLE)
    assert config.client("acme").sla_policy == "standard"
    assert config.sla_policy("standard").response_target(Priority.P1) == timedelta(minutes=15)


def test_unknown_tier_in_a_rule_names_the_path_and_the_choices(tmp_path: Path) -> None:
    data = _example()
    data["routing"]["rules"][1]["tier"] = "L9"  # type: ignore[index]
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, data))
    message = str(caught.value)
    assert str(tmp_path / "config.yaml") in message
    assert "routing.rules[1].tier: unknown tier 'L9'" in message
    assert "L1, L2, L3" in message


def test_schema_errors_name_the_key_path(tmp_path: Path) -> None:
    data = _example()
    data["sla_policies"][0]["response"]["P1"] = "soon"  # type: ignore[index]
    del data["people"][0]["email"]  # type: ignore[index]
    data["clients"][0]["colour"] = "red"  # type: ignore[index]
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, data))
    problems = caught.value.problems
    assert any(p.startswith("sla_policies[0].response.P1:") and "'soon'" in p for p in problems)
    assert "people[0].email: required key is missing" in problems
    assert "clients[0].colour: unknown key" in problems


def test_yaml_syntax_errors_give_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("tiers:\n  - id: L1\n    name: [unclosed\n")
    with pytest.raises(ConfigError, match=r"not valid YAML at line \d+, column \d+"):
        load_config(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_config(tmp_path / "absent.yaml")


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    data = _example()
    data["people"].append(dict(data["people"][0]))  # type: ignore[attr-defined,index]
    with pytest.raises(ConfigError, match=r"people\[8\]\.id: duplicate id 'alice'"):
        load_config(_write(tmp_path, data))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [(90, 90), ("90", 90), ("90s", 90), ("15m", 900), ("1h30m", 5400), ("2d", 172800)],
)
def test_durations(text: object, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["soon", "", "-5", 0, "5x", True])
def test_bad_durations_are_refused(text: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_email_section_errors_name_the_key_and_the_problem(tmp_path: Path) -> None:
    data = _example()
    email = data["email"]
    email["rmm_clients_by_value"] = {"Umbrella Corp": "umbrella"}  # type: ignore[index]
    email["ticket_tag"] = r"\[(TKT)-(\d+)\]"  # type: ignore[index]
    email["rmm_patterns"] = [{"name": "automate", "subject_regex": "(?P<host>.+)"}]  # type: ignore[index]
    email["imap"] = {"host": "imap.msp.example", "username": "support"}  # type: ignore[index]
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, data))
    problems = "\n".join(caught.value.problems)
    assert "email.ticket_tag:" in problems
    assert "exactly one group" in problems
    assert "email.rmm_patterns[0].subject_regex:" in problems
    assert "['host']" in problems
    assert "email.imap.password: required key is missing" in problems


def test_email_clients_must_exist(tmp_path: Path) -> None:
    data = _example()
    data["email"]["rmm_clients_by_value"] = {"Umbrella Corp": "umbrella"}  # type: ignore[index]
    data["email"]["unknown_sender_client"] = "nobody"  # type: ignore[index]
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, data))
    problems = caught.value.problems
    assert any(
        p.startswith("email.unknown_sender_client: unknown client 'nobody'") for p in problems
    )
    assert any(
        p.startswith("email.rmm_clients_by_value.Umbrella Corp: unknown client 'umbrella'")
        for p in problems
    )
