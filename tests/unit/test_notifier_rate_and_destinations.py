"""Rate windows and bundles per person and channel; where each channel's message goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from escalator_notifier.domain.rate_window import RateWindow, admit, bundle_due
from escalator_shared.config import Client, Person, RateLimit, Team, load_config

T0 = datetime(2026, 1, 14, 10, 0, tzinfo=UTC)
THREE_PER_5_MIN = RateLimit(max=3, per=timedelta(minutes=5))
EXAMPLE = load_config(Path(__file__).parents[2] / "deploy/config/example.yaml")


# --- rate windows ---------------------------------------------------------------------------------


def test_the_first_message_opens_a_window() -> None:
    assert admit(None, THREE_PER_5_MIN, T0) == (True, RateWindow(T0, 1))


def test_a_window_admits_max_messages_then_refuses_without_counting() -> None:
    window: RateWindow | None = None
    verdicts = []
    for second in range(5):
        allowed, window = admit(window, THREE_PER_5_MIN, T0 + timedelta(seconds=second))
        verdicts.append(allowed)
    assert verdicts == [True, True, True, False, False]
    assert window == RateWindow(T0, 3)


def test_a_new_window_opens_once_per_has_passed() -> None:
    full = RateWindow(T0, 3)
    just_before = T0 + timedelta(minutes=5) - timedelta(microseconds=1)
    assert admit(full, THREE_PER_5_MIN, just_before) == (False, full)
    at_end = T0 + timedelta(minutes=5)
    assert admit(full, THREE_PER_5_MIN, at_end) == (True, RateWindow(at_end, 1))


def test_a_channel_without_a_limit_always_admits() -> None:
    busy = RateWindow(T0, 1000)
    later = T0 + timedelta(seconds=1)
    assert admit(busy, None, later) == (True, RateWindow(later, 1))


def test_a_bundle_goes_out_after_the_wait_when_the_window_ends_later() -> None:
    window = RateWindow(T0, 3)
    now = T0 + timedelta(minutes=1)
    assert bundle_due(window, THREE_PER_5_MIN, timedelta(minutes=2), now) == now + timedelta(
        minutes=2
    )


def test_a_bundle_goes_out_when_the_window_ends_if_that_is_sooner() -> None:
    window = RateWindow(T0, 3)
    now = T0 + timedelta(minutes=4)
    assert bundle_due(window, THREE_PER_5_MIN, timedelta(minutes=2), now) == T0 + timedelta(
        minutes=5
    )


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.integers(1, 5),
    st.integers(1, 600),
    st.lists(st.integers(0, 120), min_size=1, max_size=60),
)
def test_no_fixed_window_admits_more_than_max(max_: int, per_seconds: int, gaps: list[int]) -> None:
    limit = RateLimit(max=max_, per=timedelta(seconds=per_seconds))
    window: RateWindow | None = None
    admitted_by_window: dict[datetime, int] = {}
    now = T0
    for gap in gaps:
        now += timedelta(seconds=gap)
        allowed, window = admit(window, limit, now)
        if allowed:
            assert window.start <= now < window.start + limit.per
            admitted_by_window[window.start] = admitted_by_window.get(window.start, 0) + 1
    assert all(count <= max_ for count in admitted_by_window.values())
    starts = sorted(admitted_by_window)
    assert all(b - a >= limit.per for a, b in pairwise(starts))


# --- destinations ---------------------------------------------------------------------------------

DEFAULT_SLACK = "http://127.0.0.1:8026/slack/T000/B000/dev"
DEFAULT_TEAMS = "http://127.0.0.1:8026/teams/workflow"


def someone(**extra: Any) -> Person:
    return Person.model_validate(
        {"id": "zoe", "name": "Zoe", "email": "zoe@msp.example", "phone": "+447700900999"} | extra
    )


def test_the_example_people_get_their_own_and_shared_channels() -> None:
    alice = EXAMPLE.destinations(EXAMPLE.person("alice"))  # Slack id, no phone
    assert alice == {"slack": DEFAULT_SLACK, "email": "alice@msp.example"}
    dave = EXAMPLE.destinations(EXAMPLE.person("dave"))  # phone, no chat ids
    assert dave == {"sms": "+447700900123", "email": "dave@msp.example"}


def test_shared_chat_webhooks_reach_only_people_with_an_id_or_their_own_webhook() -> None:
    assert set(EXAMPLE.destinations(someone())) == {"sms", "email"}
    on_teams = EXAMPLE.destinations(someone(teams_id="zoe@msp.example"))
    assert on_teams["teams"] == DEFAULT_TEAMS
    assert "slack" not in on_teams
    own_hook = "https://hooks.slack.com/services/T1/B1/zoe"
    assert EXAMPLE.destinations(someone(slack_webhook=own_hook))["slack"] == own_hook


def test_sms_needs_a_configured_provider() -> None:
    no_sms = EXAMPLE.model_copy(
        update={"notifications": EXAMPLE.notifications.model_copy(update={"sms": None})}
    )
    assert "sms" in EXAMPLE.destinations(someone())
    assert no_sms.destinations(someone()) == {"email": "zoe@msp.example"}


def test_the_generic_webhook_default_reaches_everyone() -> None:
    hooks = EXAMPLE.notifications.webhooks.model_copy(update={"webhook": "https://x.example/j"})
    config = EXAMPLE.model_copy(
        update={"notifications": EXAMPLE.notifications.model_copy(update={"webhooks": hooks})}
    )
    assert config.destinations(someone())["webhook"] == "https://x.example/j"


def test_webhook_urls_prefer_the_person_then_the_team_then_the_client_then_the_default() -> None:
    team = Team(
        id="desk",
        tier="L1",
        slack_webhook="https://t.example/slack",
        teams_webhook="https://t.example/teams",
    )
    client = Client(
        id="corp",
        name="Corp",
        slack_webhook="https://c.example/slack",
        teams_webhook="https://c.example/teams",
        webhook_url="https://c.example/json",
    )
    config = EXAMPLE.model_copy(
        update={"teams": [*EXAMPLE.teams, team], "clients": [*EXAMPLE.clients, client]}
    )
    zoe = someone(slack_id="U0ZOE", teams_id="zoe", slack_webhook="https://p.example/slack")
    assert config.destinations(zoe, "desk", "corp") == {
        "slack": "https://p.example/slack",
        "teams": "https://t.example/teams",
        "webhook": "https://c.example/json",
        "sms": "+447700900999",
        "email": "zoe@msp.example",
    }
    assert config.destinations(zoe, None, "corp")["teams"] == "https://c.example/teams"
    assert config.destinations(zoe, "desk", None)["teams"] == "https://t.example/teams"
    assert config.destinations(zoe, "nowhere", "nobody")["teams"] == DEFAULT_TEAMS
