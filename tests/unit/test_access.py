"""Access rules: who a token acts for, what each role may do, what a scope hides; the config checks
behind them; passwords; the production refusals of plaintext and documented development tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from escalator_shared.access import Permission, Principal, may
from escalator_shared.access.cli import main as escalator_cli
from escalator_shared.access.passwords import (
    WeakPasswordError,
    hash_password,
    password_matches,
)
from escalator_shared.config import ConfigError, load_config, token_digest
from escalator_shared.http.app import production_secret_problems

EXAMPLE = Path(__file__).parents[2] / "deploy/config/example.yaml"
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def _example() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    return loaded


def _load(tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_config(path)


def test_example_tokens_act_for_their_people_with_their_roles_and_scopes() -> None:
    access = load_config(EXAMPLE).access
    alice = access.for_token("dev-staff-token-alice", NOW)
    gina = access.for_token("dev-staff-token-gina", NOW)
    dana = access.for_token("dev-contact-token-dana", NOW)
    frank = access.for_token("dev-staff-token-frank", NOW)
    assert alice == Principal("alice", "technician", None, "alice-cli")
    assert gina == Principal("gina", "technician", frozenset({"globex"}), "gina-cli")
    assert dana == Principal("dana@acme.example", "client", frozenset({"acme"}), "dana-portal")
    assert frank is not None
    assert frank.role == "admin"
    assert access.for_token("dev-staff-token-nobody", NOW) is None
    assert access.for_token("", NOW) is None


def test_a_scope_hides_other_clients_and_records_of_no_client() -> None:
    gina = Principal("gina", "technician", frozenset({"globex"}))
    everyone = Principal("alice", "technician", None)
    assert gina.sees("globex")
    assert not gina.sees("acme")
    assert not gina.sees(None)
    assert everyone.sees(None)
    assert gina.client_filter([]) == ["globex"]
    assert gina.client_filter(["acme"]) == []
    assert gina.client_filter(["acme", "globex"]) == ["globex"]
    assert everyone.client_filter([]) is None
    assert everyone.client_filter(["acme"]) == ["acme"]


@pytest.mark.parametrize(
    ("role", "granted"),
    [
        ("client", {Permission.READ}),
        ("technician", {Permission.READ, Permission.READ_INTERNAL, Permission.WORK}),
        (
            "manager",
            {Permission.READ, Permission.READ_INTERNAL, Permission.WORK, Permission.MANAGE},
        ),
        ("admin", set(Permission)),
    ],
)
def test_each_role_has_exactly_its_permissions(role: Any, granted: set[Permission]) -> None:
    principal = Principal("someone", role, None)
    assert {p for p in Permission if may(principal, p)} == granted


def test_a_token_narrows_its_person_and_expires(tmp_path: Path) -> None:
    data = _example()
    data["api_tokens"] = [
        {
            "name": "carol-readonly",
            "person": "carol",
            "role": "technician",
            "clients": ["acme"],
            "token": "carol-narrow-token",
            "expires_at": (NOW + timedelta(days=1)).isoformat(),
        }
    ]
    access = _load(tmp_path, data).access
    narrowed = access.for_token("carol-narrow-token", NOW)
    assert narrowed == Principal("carol", "technician", frozenset({"acme"}), "carol-readonly")
    assert access.for_token("carol-narrow-token", NOW + timedelta(days=2)) is None


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ({"person": "alice", "role": "admin"}, "exceeds alice's role 'technician'"),
        ({"person": "gina", "clients": ["acme"]}, "gina may not see 'acme'"),
        ({"person": "nobody"}, "unknown person 'nobody'"),
        ({"contact": "eve@acme.example"}, "unknown client contact"),
        ({"person": "alice", "contact": "dana@acme.example"}, "exactly one of person"),
        ({"person": "alice", "token_sha256": "abc"}, "64 lower-case hex"),
        ({"person": "alice", "expires_at": "2027-01-01T00:00:00"}, "needs a UTC offset"),
    ],
)
def test_tokens_that_would_widen_access_or_name_nobody_are_refused(
    tmp_path: Path, token: dict[str, Any], problem: str
) -> None:
    data = _example()
    data["api_tokens"] = [{"name": "t", "token": "some-long-token", **token}]
    if "token_sha256" in token:
        del data["api_tokens"][0]["token"]
    with pytest.raises(ConfigError, match=problem):
        _load(tmp_path, data)


def test_scopes_and_integration_clients_must_name_known_clients(tmp_path: Path) -> None:
    data = _example()
    next(p for p in data["people"] if p["id"] == "gina")["clients"] = ["umbrella"]
    next(i for i in data["integrations"] if i["id"] == "acme-prometheus")["clients"] = ["hooli"]
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, data)
    assert any("people[" in p and "unknown client 'umbrella'" in p for p in raised.value.problems)
    assert any("integrations[" in p and "'hooli'" in p for p in raised.value.problems)


def test_production_refuses_plaintext_and_documented_development_tokens(tmp_path: Path) -> None:
    example = load_config(EXAMPLE)
    problems = production_secret_problems(example)
    assert "api_tokens alice-cli: a documented development token is refused in production" in (
        problems
    )
    assert any(p.startswith("integrations acme-monitoring: a documented") for p in problems)
    data = _example()
    data["api_tokens"] = [{"name": "ops", "person": "frank", "token": "a-plaintext-secret"}]
    data["integrations"] = [
        {"id": "mon", "client": "acme", "token_sha256": token_digest("a-real-random-secret")}
    ]
    data["email"].pop("unknown_sender_client", None)
    problems = production_secret_problems(_load(tmp_path, data))
    assert problems == [
        "api_tokens ops: a plaintext token is refused in production; store token_sha256"
    ]


def test_passwords_are_argon2id_and_checked_without_errors() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert password_matches(stored, "correct horse battery")
    assert not password_matches(stored, "correct horse battery!")
    assert not password_matches("not-a-hash", "anything")
    with pytest.raises(WeakPasswordError):
        hash_password("short")


def test_example_passwords_match_their_documented_development_values() -> None:
    config = load_config(EXAMPLE)
    assert password_matches(config.person("gina").password_hash or "", "dev-password-gina")
    (dana,) = config.client("acme").contacts
    assert password_matches(dana.password_hash or "", "dev-password-dana")


def test_the_cli_prints_hashes_that_the_configuration_accepts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io  # noqa: PLC0415 - only here

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert escalator_cli(["users", "hash-password"]) == 0
    assert password_matches(capsys.readouterr().out.strip(), "a long enough password")
    monkeypatch.setattr("sys.stdin", io.StringIO("dev-staff-token-alice\n"))
    assert escalator_cli(["tokens", "hash"]) == 0
    assert capsys.readouterr().out.strip() == token_digest("dev-staff-token-alice")
    assert escalator_cli(["tokens", "new"]) == 0
    token_line, digest_line = capsys.readouterr().out.strip().splitlines()
    assert digest_line.split()[-1] == token_digest(token_line.split()[-1])


def test_set_password_writes_the_hash_in_place_and_keeps_the_files_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io  # noqa: PLC0415 - only here

    path = tmp_path / "config.yaml"
    path.write_text(EXAMPLE.read_text())
    before = EXAMPLE.read_text().splitlines()
    for holder, password in (("bob", "bobs-new-password"), ("dana@acme.example", "danas-new-one")):
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{password}\n"))
        assert escalator_cli(["users", "set-password", holder, "--config", str(path)]) == 0
    config = load_config(path)
    assert password_matches(config.person("bob").password_hash or "", "bobs-new-password")
    (dana,) = config.client("acme").contacts
    assert password_matches(dana.password_hash or "", "danas-new-one")
    assert password_matches(config.person("gina").password_hash or "", "dev-password-gina")
    after = path.read_text().splitlines()
    assert [line for line in before if line.lstrip().startswith("#")] == [
        line for line in after if line.lstrip().startswith("#")
    ]
    assert len(after) == len(before) + 1  # bob's line added; dana's replaced
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert escalator_cli(["users", "set-password", "nobody", "--config", str(path)]) == 1
    assert "no person or client contact 'nobody'" in capsys.readouterr().err
