"""The anchor index only skips rules that cannot match: `choose` always agrees with `explain`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from escalator_router.domain.facts import TicketFacts
from escalator_router.domain.rule_index import anchor_tokens
from escalator_router.domain.rulebook import RuleBook
from escalator_shared.config import RuleMatch
from escalator_shared.events import Priority, Severity
from tests.benchmarks.routing_decisions import CLIENTS, GLOBAL_RULES, WORDS, generated_config

BOOK = RuleBook(generated_config())

words = st.sampled_from([*WORDS, "Firewall", "VPN!", "k3", "word12", "ERR-7", "other"])


@settings(max_examples=400, deadline=None)
@given(
    client=st.integers(0, CLIENTS - 1),
    title=st.lists(words, max_size=5).map(" ".join),
    description=st.lists(words, max_size=3).map(" ".join),
    service=st.one_of(st.none(), st.integers(0, GLOBAL_RULES)),
    env=st.one_of(st.none(), st.integers(0, GLOBAL_RULES)),
    code=st.one_of(st.none(), st.integers(0, GLOBAL_RULES)),
    device_type=st.sampled_from([None, "firewall", "server"]),
    severity=st.sampled_from(list(Severity)),
    priority=st.sampled_from(list(Priority)),
    vip=st.booleans(),
    minutes=st.integers(0, 60 * 24 * 7),
)
def test_the_fast_choice_is_the_explained_choice(
    client: int,
    title: str,
    description: str,
    service: int | None,
    env: int | None,
    code: int | None,
    device_type: str | None,
    severity: Severity,
    priority: Priority,
    vip: bool,
    minutes: int,
) -> None:
    labels = {"service": f"svc{service}"} if service is not None else {}
    labels |= {"env": f"e{env}"} if env is not None else {}
    labels |= {"device_type": device_type} if device_type else {}
    facts = TicketFacts(
        client_id=f"c{client}",
        priority=priority,
        title=title or "x",
        at=datetime(2026, 11, 23, tzinfo=UTC) + timedelta(minutes=minutes),
        severity=severity,
        description=description,
        labels=labels,
        error_codes=(f"0X{code:04x}",) if code is not None else (),
        requester=f"ceo@c{client}.example" if vip else None,
    )
    assert BOOK.choose(facts).rule == BOOK.explain(facts).rule


def test_anchors_are_conditions_a_match_cannot_do_without() -> None:
    assert anchor_tokens(RuleMatch(labels={"a": "1", "b": "2"})) == frozenset({("label", "a=1")})
    assert anchor_tokens(RuleMatch(error_codes=["0xBEEF"])) == frozenset({("code", "0xbeef")})
    assert anchor_tokens(RuleMatch(keywords=["VPN", "firewall"])) == frozenset(
        {("word", "vpn"), ("word", "firewall")}
    )
    # A phrase cannot be found word by word: no anchor, so the rule is always tried.
    assert anchor_tokens(RuleMatch(keywords=["vpn", "not acceptable"])) is None
    assert anchor_tokens(RuleMatch(priorities=[Priority.P1])) is None
