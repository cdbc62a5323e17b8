"""Tokens issued through the API: the latest state wins, revocation forgets at once, a holder's
current access caps the token, and the issuing rules refuse anything wider."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from escalator_shared.access import Principal
from escalator_shared.access.issued_tokens import IssuedTokens
from escalator_shared.access.token_rules import (
    TokenRequest,
    TokenRequestError,
    check_scope,
    expiry,
    holder_of,
)
from escalator_shared.config import load_config, token_digest
from escalator_shared.events import ApiTokenChanged

EXAMPLE = Path(__file__).parents[2] / "deploy/config/example.yaml"
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def _change(token: str, **fields: Any) -> ApiTokenChanged:
    values: dict[str, Any] = {
        "token_id": f"id-{token}",
        "name": token,
        "person": "carol",
        "token_sha256": token_digest(token),
        "issued_at": NOW,
        "issued_by": "carol",
        **fields,
    }
    return ApiTokenChanged(**values)


def test_the_latest_state_of_each_token_wins() -> None:
    book = IssuedTokens()
    book.apply(_change("t1"))
    book.apply(_change("t2"))
    assert book.get(token_digest("t1")) is not None
    book.apply(_change("t1", revoked_at=NOW, revoked_by="frank"))
    assert book.get(token_digest("t1")) is None
    assert book.get(token_digest("t2")) is not None
    assert len(book) == 1


def test_an_issued_token_acts_within_its_holders_current_access() -> None:
    access = load_config(EXAMPLE).access
    access.issued.apply(_change("carol-wide", role="admin", expires_at=NOW + timedelta(days=1)))
    access.issued.apply(_change("carol-narrow", role="technician", clients=["acme"]))
    access.issued.apply(_change("gina-wide", person="gina", clients=["acme", "globex"]))
    access.issued.apply(_change("gone", person="nobody"))
    # Carol is a manager: a token claiming admin (the configuration changed since) is capped.
    assert access.for_token("carol-wide", NOW) == Principal("carol", "manager", None, "carol-wide")
    assert access.for_token("carol-wide", NOW + timedelta(days=2)) is None
    assert access.for_token("carol-narrow", NOW) == Principal(
        "carol", "technician", frozenset({"acme"}), "carol-narrow"
    )
    assert access.for_token("gina-wide", NOW) == Principal(
        "gina", "technician", frozenset({"globex"}), "gina-wide"
    )
    assert access.for_token("gone", NOW) is None  # its person left the configuration


def test_issuing_rules_refuse_wider_tokens_and_tokens_for_others() -> None:
    gina = Principal("gina", "technician", frozenset({"globex"}))
    frank = Principal("frank", "admin", None)
    dana = Principal("dana@acme.example", "client", frozenset({"acme"}))
    assert holder_of(gina, TokenRequest("t")) == ("gina", None)
    assert holder_of(dana, TokenRequest("t")) == (None, "dana@acme.example")
    assert holder_of(frank, TokenRequest("t", person="gina")) == ("gina", None)
    with pytest.raises(PermissionError):
        holder_of(gina, TokenRequest("t", person="alice"))
    with pytest.raises(TokenRequestError, match="exceeds"):
        check_scope(gina, TokenRequest("t", role="admin"))
    with pytest.raises(TokenRequestError, match="outside the holder's access: acme"):
        check_scope(gina, TokenRequest("t", clients=["acme", "globex"]))
    with pytest.raises(TokenRequestError, match="client's access"):
        check_scope(dana, TokenRequest("t", role="technician"))
    check_scope(gina, TokenRequest("t", clients=["globex"]))


def test_tokens_expire_within_a_year_and_by_default_in_ninety_days() -> None:
    assert expiry(TokenRequest("t"), NOW) == NOW + timedelta(days=90)
    soon = NOW + timedelta(hours=1)
    assert expiry(TokenRequest("t", expires_at=soon), NOW) == soon
    for bad, says in (
        (NOW - timedelta(seconds=1), "in the past"),
        (NOW + timedelta(days=400), "at most 366 days"),
        (datetime(2027, 1, 1), "UTC offset"),
    ):
        with pytest.raises(TokenRequestError, match=says):
            expiry(TokenRequest("t", expires_at=bad), NOW)
