"""Who is told what, on which channels and when: severity, quiet hours, repeats, fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from escalator_notifier.domain.delivery_plan import (
    Planned,
    chosen_channels,
    fallback_channel,
    plan_for_person,
)
from escalator_shared.config import Channel, Notifications, Person, PersonNotifications
from escalator_shared.events import Priority

# Wednesday 14 January 2026, 23:30 in London (GMT, so UTC reads the same).
NIGHT = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)
SEVEN_NEXT_MORNING = datetime(2026, 1, 15, 7, 0, tzinfo=UTC)
NOON = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)
POLICY = Notifications()
EVERYWHERE: dict[Channel, str] = {
    "sms": "+447700900123",
    "slack": "https://hooks.example/slack",
    "teams": "https://hooks.example/teams",
    "webhook": "https://hooks.example/json",
    "email": "dave@msp.example",
}
PHONE_AND_EMAIL: dict[Channel, str] = {"sms": "+447700900123", "email": "dave@msp.example"}
EMAIL_ONLY: dict[Channel, str] = {"email": "dave@msp.example"}


def person(**notify: Any) -> Person:
    return Person(
        id="dave",
        name="Dave Moreau",
        email="dave@msp.example",
        phone="+447700900123",
        time_zone="Europe/London",
        notify=PersonNotifications.model_validate(notify),
    )


NIGHT_OWL = person(quiet_hours=[{"start": "22:00", "end": "07:00"}])


def plan(
    kind: str,
    priority: Priority,
    who: Person = NIGHT_OWL,
    destinations: dict[Channel, str] = PHONE_AND_EMAIL,
    now: datetime = NIGHT,
    policy: Notifications = POLICY,
) -> list[Planned]:
    return plan_for_person(
        kind=kind,
        priority=priority,
        person=who,
        destinations=destinations,
        policy=policy,
        now=now,
    )


def shape(plans: list[Planned]) -> list[tuple[str, datetime, int]]:
    return [(p.channel, p.send_at, p.repeat) for p in plans]


# --- channels -------------------------------------------------------------------------------------


def test_a_critical_page_goes_on_every_reachable_channel_in_policy_order() -> None:
    assert chosen_channels("assigned", Priority.P1, person(), EVERYWHERE, POLICY) == [
        "sms",
        "slack",
        "teams",
        "webhook",
        "email",
    ]
    assert chosen_channels("assigned", Priority.P1, person(), PHONE_AND_EMAIL, POLICY) == [
        "sms",
        "email",
    ]


@pytest.mark.parametrize(
    ("priority", "channels"),
    [(Priority.P3, ["email"]), (Priority.P4, ["email"]), (Priority.P5, ["digest"])],
)
def test_lower_priorities_use_email_or_the_digest(priority: Priority, channels: list[str]) -> None:
    assert chosen_channels("assigned", priority, person(), EVERYWHERE, POLICY) == channels


def test_a_persons_rule_for_the_kind_replaces_the_priority_channels() -> None:
    who = person(rules={"sla_warning": ["slack", "email"]})
    assert chosen_channels("sla_warning", Priority.P4, who, EVERYWHERE, POLICY) == [
        "slack",
        "email",
    ]
    assert chosen_channels("sla_breached", Priority.P4, who, EVERYWHERE, POLICY) == ["email"]


def test_a_rule_naming_only_unreachable_channels_falls_back_to_email() -> None:
    who = person(rules={"assigned": ["teams", "slack"]})
    assert chosen_channels("assigned", Priority.P1, who, PHONE_AND_EMAIL, POLICY) == ["email"]


def test_a_priority_with_no_reachable_channel_falls_back_to_email() -> None:
    policy = Notifications(channels_by_priority={Priority.P2: ["slack"]})
    assert chosen_channels("assigned", Priority.P2, person(), PHONE_AND_EMAIL, policy) == ["email"]
    assert chosen_channels("assigned", Priority.P3, person(), PHONE_AND_EMAIL, policy) == ["email"]


def test_an_empty_rule_mutes_the_kind_even_for_a_critical_page() -> None:
    who = person(rules={"sla_warning": []})
    assert chosen_channels("sla_warning", Priority.P1, who, EVERYWHERE, POLICY) == []
    assert plan("sla_warning", Priority.P1, who, EVERYWHERE) == []
    assert plan("assigned", Priority.P1, who, EVERYWHERE) != []


# --- quiet hours ----------------------------------------------------------------------------------


def test_a_non_urgent_message_in_quiet_hours_waits_until_they_end() -> None:
    (only,) = plan("assigned", Priority.P3)
    assert only == Planned(
        "email", "dave@msp.example", SEVEN_NEXT_MORNING, held_until=SEVEN_NEXT_MORNING
    )


def test_a_non_urgent_message_outside_quiet_hours_goes_now() -> None:
    (only,) = plan("assigned", Priority.P3, now=NOON)
    assert only == Planned("email", "dave@msp.example", NOON)


def test_an_urgent_page_ignores_quiet_hours() -> None:
    plans = plan("sla_breached", Priority.P1)
    assert shape(plans) == [("sms", NIGHT, 0), ("email", NIGHT, 0)]
    assert all(p.held_until is None for p in plans)


def test_which_priorities_are_urgent_is_policy() -> None:
    only_p1 = Notifications(urgent_priorities=[Priority.P1])
    plans = plan("sla_breached", Priority.P2, policy=only_p1)
    assert {p.send_at for p in plans} == {SEVEN_NEXT_MORNING}
    assert {p.held_until for p in plans} == {SEVEN_NEXT_MORNING}


def test_quiet_hours_around_the_clock_are_refused_by_the_configuration() -> None:
    with pytest.raises(ValueError, match="cover the whole week"):
        person(quiet_hours=[{"start": "00:00", "end": "00:00"}])


# --- digests --------------------------------------------------------------------------------------


def test_a_low_priority_item_waits_for_the_next_digest_at_the_persons_email() -> None:
    who = person(digest_at="08:30", quiet_hours=[{"start": "22:00", "end": "07:00"}])
    (only,) = plan("assigned", Priority.P5, who)
    assert only == Planned("digest", "dave@msp.example", datetime(2026, 1, 15, 8, 30, tzinfo=UTC))


def test_a_weekly_digest_item_waits_for_the_digest_day() -> None:
    who = person(digest_every="weekly", digest_day="mon", digest_at="09:00")
    (only,) = plan("vendor_update", Priority.P5, who, now=NOON)
    assert (only.channel, only.send_at) == ("digest", datetime(2026, 1, 19, 9, 0, tzinfo=UTC))


# --- repeats --------------------------------------------------------------------------------------


def test_an_urgent_page_repeats_on_its_noisy_channels_not_on_email() -> None:
    plans = plan("assigned", Priority.P1, person(), EVERYWHERE, now=NOON)
    firsts = [("sms", NOON, 0), ("slack", NOON, 0), ("teams", NOON, 0)]
    firsts += [("webhook", NOON, 0), ("email", NOON, 0)]
    repeats = [
        (channel, NOON + k * timedelta(minutes=5), k)
        for k in (1, 2, 3)
        for channel in ("sms", "slack", "teams", "webhook")
    ]
    assert shape(plans) == firsts + repeats
    assert all(p.held_until is None for p in plans)


def test_an_urgent_page_by_email_alone_repeats_by_email() -> None:
    plans = plan("escalated", Priority.P2, person(), EMAIL_ONLY, now=NOON)
    assert [(p.channel, p.repeat) for p in plans] == [("email", k) for k in range(4)]


@pytest.mark.parametrize("kind", ["assigned", "escalated", "paged"])
def test_every_page_kind_repeats_when_urgent(kind: str) -> None:
    plans = plan(kind, Priority.P1, person(), PHONE_AND_EMAIL, now=NOON)
    assert [p.repeat for p in plans if p.channel == "sms"] == [0, 1, 2, 3]


@pytest.mark.parametrize("kind", ["sla_warning", "sla_breached", "vendor_update", "message"])
def test_urgent_notices_that_are_not_pages_do_not_repeat(kind: str) -> None:
    plans = plan(kind, Priority.P1, person(), PHONE_AND_EMAIL, now=NOON)
    assert shape(plans) == [("sms", NOON, 0), ("email", NOON, 0)]


def test_a_non_urgent_page_does_not_repeat() -> None:
    assert [p.repeat for p in plan("paged", Priority.P3, person(), EVERYWHERE)] == [0]


def test_repeats_follow_the_policys_interval_and_count() -> None:
    policy = Notifications.model_validate({"repeat": {"every": "2m", "times": 2}})
    plans = plan("paged", Priority.P1, person(), PHONE_AND_EMAIL, now=NOON, policy=policy)
    assert [(p.channel, p.send_at) for p in plans if p.repeat] == [
        ("sms", NOON + timedelta(minutes=2)),
        ("sms", NOON + timedelta(minutes=4)),
    ]
    no_repeats = Notifications.model_validate({"repeat": {"times": 0}})
    assert all(p.repeat == 0 for p in plan("paged", Priority.P1, policy=no_repeats))


def test_a_digest_channel_in_an_urgent_page_rule_is_not_repeated() -> None:
    who = person(rules={"assigned": ["digest", "sms"]})
    plans = plan("assigned", Priority.P1, who, PHONE_AND_EMAIL, now=NOON)
    assert [(p.channel, p.repeat) for p in plans] == [
        ("digest", 0),
        ("sms", 0),
        ("sms", 1),
        ("sms", 2),
        ("sms", 3),
    ]


# --- fallback -------------------------------------------------------------------------------------


def test_fallback_follows_the_default_order_and_skips_tried_channels() -> None:
    who = person()
    assert fallback_channel(who, EVERYWHERE, {"sms"}) == "slack"
    assert fallback_channel(who, EVERYWHERE, {"sms", "slack", "teams"}) == "webhook"
    assert fallback_channel(who, PHONE_AND_EMAIL, {"sms"}) == "email"


def test_fallback_follows_the_persons_contact_order() -> None:
    who = person(contact_order=["teams", "sms", "slack"])
    assert fallback_channel(who, EVERYWHERE, {"email"}) == "teams"
    assert fallback_channel(who, EVERYWHERE, {"teams"}) == "sms"
    assert fallback_channel(who, EVERYWHERE, {"teams", "sms"}) == "slack"


def test_fallback_ends_with_email_even_when_the_order_leaves_it_out() -> None:
    who = person(contact_order=["slack"])
    assert fallback_channel(who, EVERYWHERE, {"slack"}) == "email"


def test_fallback_skips_the_digest_and_unreachable_channels() -> None:
    who = person(contact_order=["digest", "teams", "sms"])
    assert fallback_channel(who, PHONE_AND_EMAIL, set()) == "sms"


def test_fallback_gives_up_when_every_channel_was_tried() -> None:
    assert fallback_channel(person(), PHONE_AND_EMAIL, {"sms", "email"}) is None
    assert fallback_channel(person(), EVERYWHERE, set(EVERYWHERE)) is None
