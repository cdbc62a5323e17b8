"""Single sign-on's pure rules: ID token checks (signed here with keys made for the test), the
role a person's groups give, the email the provider vouches for, where the browser may go."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey

from escalator_intake.domain.id_tokens import UnknownSigningKeyError, id_token_claims
from escalator_intake.domain.single_sign_on import (
    SsoRefusedError,
    groups_in,
    role_for,
    safe_next,
    verified_email,
)
from escalator_intake.sign_in import password_accounts
from escalator_shared.config import SingleSignOn, load_config, token_digest
from escalator_shared.events import ApiTokenChanged, utc_now
from escalator_shared.http.app import production_secret_problems

ISSUER = "https://login.example.com/"
CLIENT = "escalator"
EXAMPLE = Path(__file__).parents[2] / "deploy/config/example.yaml"
NOW = 1_800_000_000
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
KEYS: dict[str, Any] = dict(KeySet([KEY]).as_dict())


def _claims(**changes: Any) -> dict[str, Any]:
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "user-1",
        "exp": NOW + 300,
        "iat": NOW,
        "nonce": "the-nonce",
        "email": "alice@msp.example",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _token(claims: dict[str, Any], key: Any = KEY, alg: str = "RS256", kid: str = "k1") -> str:
    return jwt.encode({"alg": alg, "kid": kid}, claims, key)


def _check(token: str, keys: dict[str, Any] = KEYS) -> dict[str, Any]:
    return id_token_claims(token, keys, issuer=ISSUER, client_id=CLIENT, nonce="the-nonce", now=NOW)


def test_a_good_id_token_gives_its_claims() -> None:
    assert _check(_token(_claims()))["email"] == "alice@msp.example"
    # An audience list naming us, with us as the authorized party, is ours too.
    assert _check(_token(_claims(aud=[CLIENT, "other"], azp=CLIENT)))["sub"] == "user-1"
    # An EC-signed token, from a provider with EC keys.
    ec = ECKey.generate_key("P-256", parameters={"kid": "e1"})
    token = _token(_claims(), key=ec, alg="ES256", kid="e1")
    assert _check(token, dict(KeySet([ec]).as_dict()))["sub"] == "user-1"


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://evil.example/"},
        {"aud": "someone-else"},
        {"aud": [CLIENT, "other"]},  # several audiences and no azp naming us
        {"exp": NOW - 120},  # expired beyond the leeway
        {"nonce": "another-sign-in"},  # replayed from another sign-in
        {"nonce": None},
        {"sub": None},
        {"iat": None},
    ],
)
def test_an_id_token_not_for_this_sign_in_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(SsoRefusedError) as refused:
        _check(_token(_claims(**changes)))
    assert (refused.value.status, refused.value.code) == (401, "sso_invalid_token")


def test_forged_signatures_and_weak_algorithms_are_refused() -> None:
    other = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with pytest.raises(SsoRefusedError):
        _check(_token(_claims(), key=other))  # same kid, wrong key
    secret = OctKey.import_key("x" * 32)
    with pytest.raises(SsoRefusedError):
        _check(_token(_claims(), key=secret, alg="HS256"))
    with pytest.raises(SsoRefusedError):
        _check("not.a.jwt")


def test_a_token_signed_with_an_unpublished_key_asks_for_the_keys_again() -> None:
    rotated = RSAKey.generate_key(2048, parameters={"kid": "k2"})
    with pytest.raises(UnknownSigningKeyError):
        _check(_token(_claims(), key=rotated, kid="k2"))


def test_the_highest_role_among_the_groups_wins() -> None:
    roles: dict[str, Any] = {"helpdesk": "technician", "leads": "manager", "ops": "admin"}
    assert role_for(["everyone", "helpdesk", "leads"], roles) == "manager"
    assert role_for(["ops", "helpdesk"], roles) == "admin"
    assert role_for(["everyone"], roles) is None
    assert role_for([], roles) is None


def test_groups_come_as_a_list_or_a_single_string() -> None:
    assert groups_in({"groups": ["a", "b", 3]}, "groups") == ["a", "b"]
    assert groups_in({"roles": "admins"}, "roles") == ["admins"]
    assert groups_in({"groups": {"a": 1}}, "groups") == []
    assert groups_in({}, "groups") == []


def test_the_email_must_be_given_and_not_unverified() -> None:
    assert verified_email({"email": " Alice@MSP.example "}) == "alice@msp.example"
    assert verified_email({"email": "a@b.example", "email_verified": True}) == "a@b.example"
    with pytest.raises(SsoRefusedError) as unverified:
        verified_email({"email": "a@b.example", "email_verified": False})
    assert unverified.value.code == "sso_unverified_email"
    with pytest.raises(SsoRefusedError) as missing:
        verified_email({"sub": "x"})
    assert missing.value.code == "sso_no_email"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/console/queue?x=1", "/console/queue?x=1"),
        ("http://escalator.example:8006/console", "http://escalator.example:8006/console"),
        (None, "/"),
        ("", "/"),
        ("console", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_after_signing_in_the_browser_stays_on_this_host(target: str | None, expected: str) -> None:
    assert safe_next(target, "escalator.example") == expected


def test_single_sign_on_needs_the_openid_scope_and_web_addresses() -> None:
    with pytest.raises(ValueError, match="openid"):
        SingleSignOn(issuer=ISSUER, client_id=CLIENT, roles={"g": "admin"}, scopes=["email"])
    with pytest.raises(ValueError, match="http"):
        SingleSignOn(issuer="login.example.com", client_id=CLIENT, roles={"g": "admin"})
    with pytest.raises(ValueError, match="at least 1"):
        SingleSignOn(issuer=ISSUER, client_id=CLIENT, roles={})


def test_production_wants_single_sign_on_over_https() -> None:
    example = load_config(EXAMPLE)
    sso = SingleSignOn(
        issuer="http://login.example.com/",
        client_id=CLIENT,
        roles={"g": "admin"},
        redirect_uri="https://escalator.example/v1/sign-in/sso/callback",
    )
    problems = production_secret_problems(example.model_copy(update={"single_sign_on": sso}))
    assert "single_sign_on.issuer: must be https in production" in problems
    assert not any("redirect_uri" in p for p in problems)


def test_a_single_sign_on_session_has_the_role_its_groups_gave() -> None:
    access = load_config(EXAMPLE).access
    now = utc_now()
    for kind in ("sso_session", "session"):
        access.issued.apply(
            ApiTokenChanged(
                token_id=f"t-{kind}",
                name="session",
                kind=kind,
                person="alice",  # a technician in the configuration
                role="admin",
                token_sha256=token_digest(f"ses_{kind}"),
                issued_at=now,
                issued_by="alice",
            )
        )
    # A password session (or token) may only narrow the person's configured role; single
    # sign-on's role is the provider's, above the configured one or below it.
    by_sso = access.for_token("ses_sso_session", now)
    by_password = access.for_token("ses_session", now)
    assert by_sso is not None
    assert by_password is not None
    assert by_sso.role == "admin"
    assert by_password.role == "technician"


def test_staff_passwords_can_be_turned_off_for_single_sign_on() -> None:
    example = load_config(EXAMPLE)
    assert password_accounts(example)["alice@msp.example"][0] is not None
    only_sso = SingleSignOn(
        issuer=ISSUER, client_id=CLIENT, roles={"g": "admin"}, staff_passwords=False
    )
    accounts = password_accounts(example.model_copy(update={"single_sign_on": only_sso}))
    assert accounts["alice@msp.example"] == (None, "alice", None)  # no hash: no password works
    assert accounts["dana@acme.example"][0] is not None  # client contacts keep theirs
