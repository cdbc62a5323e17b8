"""Each channel's request body, the facts beside the text, and what a provider's error means."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from escalator_notifier.channels.base import http_failure, retry_after_seconds
from escalator_notifier.domain.notice_context import (
    Clock,
    TicketView,
    clock_words,
    duration_words,
    facts,
    ticket_context,
    when,
)
from escalator_notifier.domain.payloads import (
    SMS_LIMIT,
    Message,
    slack_payload,
    sms_form,
    sms_text,
    teams_payload,
    webhook_body,
    webhook_signature,
)

NOW = datetime(2026, 1, 14, 10, 0, tzinfo=UTC)
LINKS = {"acknowledge": "https://esc.example/a", "resolve": "https://esc.example/r"}
MESSAGE = Message(
    delivery_id="d-1",
    kind="assigned",
    subject="[P1] Assigned to you: Mail server down [INC-1042]",
    summary="P1 ACME: Mail server down is yours.",
    text="Ticket INC-1042 for ACME is assigned to you.\n",
    facts=(("Priority", "P1"), ("Client", "ACME")),
    links=LINKS,
    mention="U01BOB",
    ticket_id="t-1",
    client_id="acme",
    occurred_at="2026-01-14T10:00:00+00:00",
)
PLAIN = Message(delivery_id="d-2", kind="message", subject="Hi", summary="Hi", text="Hello\n")


# --- notice context -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 s"),
        (45, "45 s"),
        (59.9, "59 s"),
        (60, "1 min"),
        (725, "12 min"),
        (3600, "1 h"),
        (3 * 3600 + 300, "3 h 5 min"),
        (47 * 3600 + 59 * 60, "47 h 59 min"),
        (48 * 3600, "2 d"),
        (52 * 3600 + 1800, "2 d 4 h"),
        (-90, "1 min"),
    ],
)
def test_durations_read_as_words(seconds: float, words: str) -> None:
    assert duration_words(seconds) == words


@pytest.mark.parametrize(
    ("clock", "words"),
    [
        (Clock("response", "running", NOW + timedelta(minutes=12), None), "12 min left"),
        (Clock("response", "running", NOW - timedelta(hours=2), None), "overdue by 2 h"),
        (Clock("response", "running", None, None), "running"),
        (Clock("resolution", "paused", None, 3 * 3600 + 300), "paused, 3 h 5 min left"),
        (Clock("resolution", "paused", None, -5), "paused, breached"),
        (Clock("resolution", "paused", None, None), "paused, 0 s left"),
    ],
)
def test_clocks_say_how_much_time_is_left(clock: Clock, words: str) -> None:
    assert clock_words(clock, NOW) == words


def test_the_ticket_context_names_the_ticket_and_its_clocks() -> None:
    ticket = TicketView(
        ticket_id="0f3c9a1e-5d2b",
        client_id="acme",
        client_name="ACME",
        title="Disk full",
        priority="P3",
        clocks=(Clock("response", "running", NOW + timedelta(minutes=30), None),),
    )
    context = ticket_context(ticket, NOW)
    assert (context["ticket"]["label"], context["ticket"]["tag"]) == ("0f3c9a1e", "")
    assert context["sla"] == [
        {"metric": "response", "due_at": "2026-01-14 10:30 UTC", "remaining": "30 min left"}
    ]
    named = ticket_context(TicketView("t", "c", "C", "T", "P1", reference="INC-7"), NOW)
    assert (named["ticket"]["label"], named["ticket"]["tag"]) == ("INC-7", "[INC-7]")
    assert when(None) == "-"


def test_facts_show_what_the_ticket_has() -> None:
    clock = Clock("response", "running", NOW + timedelta(minutes=5), None)
    full = TicketView("t", "c", "ACME", "T", "P2", tier="L2", assignee_name="Bob", clocks=(clock,))
    assert facts(full, NOW) == [
        ("Priority", "P2"),
        ("Client", "ACME"),
        ("Tier", "L2"),
        ("Assignee", "Bob"),
        ("SLA response", "5 min left"),
    ]
    assert facts(TicketView("t", "c", "ACME", "T", "P4"), NOW) == [
        ("Priority", "P4"),
        ("Client", "ACME"),
    ]


# --- Slack ----------------------------------------------------------------------------------------


def test_slack_mentions_the_person_in_the_preview_and_the_text() -> None:
    payload = slack_payload(MESSAGE)
    assert payload["text"] == "<@U01BOB> P1 ACME: Mail server down is yours."
    header, section, fields, actions = payload["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": MESSAGE.subject}}
    assert section["text"] == {"type": "mrkdwn", "text": "<@U01BOB> " + MESSAGE.text}
    assert fields["fields"] == [
        {"type": "mrkdwn", "text": "*Priority*\nP1"},
        {"type": "mrkdwn", "text": "*Client*\nACME"},
    ]
    assert actions["type"] == "actions"
    assert [
        (b["text"]["text"], b["url"], b["action_id"], b.get("style")) for b in actions["elements"]
    ] == [
        ("Acknowledge", "https://esc.example/a", "acknowledge", "primary"),
        ("Resolve", "https://esc.example/r", "resolve", "danger"),
    ]


def test_slack_without_mention_facts_or_links_is_a_header_and_a_section() -> None:
    payload = slack_payload(PLAIN)
    assert payload["text"] == "Hi"
    assert [b["type"] for b in payload["blocks"]] == ["header", "section"]


def test_slack_keeps_within_block_kit_limits() -> None:
    many = tuple((f"F{i}", "v") for i in range(12))
    long = Message(
        "d", "message", "S" * 200, "s", "x" * 5000, facts=many, links={"open": "https://e"}
    )
    header, section, fields, actions = slack_payload(long)["blocks"]
    assert len(header["text"]["text"]) == 150
    assert len(section["text"]["text"]) <= 3000
    assert len(fields["fields"]) == 10
    assert "style" not in actions["elements"][0]


def test_slack_escapes_control_characters_in_the_text() -> None:
    hostile = Message("d", "assigned", "S", "x <!channel>", "Title: down <!channel> & <b|y>\n")
    payload = slack_payload(hostile)
    assert "<!channel>" not in payload["text"]
    assert "<!channel>" not in payload["blocks"][1]["text"]["text"]


# --- Teams ----------------------------------------------------------------------------------------


def test_teams_sends_one_adaptive_card_1_4_in_a_message() -> None:
    payload = teams_payload(MESSAGE)
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    title, text, fact_set = card["body"]
    assert (title["text"], title["weight"], text["text"]) == (
        MESSAGE.subject,
        "Bolder",
        MESSAGE.text,
    )
    assert fact_set == {
        "type": "FactSet",
        "facts": [{"title": "Priority", "value": "P1"}, {"title": "Client", "value": "ACME"}],
    }
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Acknowledge", "url": "https://esc.example/a"},
        {"type": "Action.OpenUrl", "title": "Resolve", "url": "https://esc.example/r"},
    ]


def test_a_teams_card_without_facts_or_links_has_no_fact_set_or_actions() -> None:
    card = teams_payload(PLAIN)["attachments"][0]["content"]
    assert [block["type"] for block in card["body"]] == ["TextBlock", "TextBlock"]
    assert "actions" not in card


# --- SMS ------------------------------------------------------------------------------------------


def test_an_sms_is_the_twilio_form_with_the_summary() -> None:
    assert sms_form(MESSAGE, "+447700900456", "+15005550006") == {
        "To": "+447700900456",
        "From": "+15005550006",
        "Body": "P1 ACME: Mail server down is yours.",
    }


def test_an_sms_of_exactly_two_segments_is_kept_whole() -> None:
    assert sms_text("a" * SMS_LIMIT) == "a" * SMS_LIMIT


def test_a_longer_sms_is_cut_to_306_characters_and_marked() -> None:
    body = sms_text("abcdefghij" * 40)
    assert len(body) == SMS_LIMIT == 306
    assert body.startswith("abcdefghij" * 30)
    assert body.endswith("...")


def test_a_cut_sms_stays_in_the_gsm_alphabet_so_it_fits_two_segments() -> None:
    assert sms_text("a" * 400).isascii()


# --- generic webhook ------------------------------------------------------------------------------


def test_the_webhook_body_is_compact_sorted_json_of_the_message() -> None:
    body = webhook_body(MESSAGE)
    document = json.loads(body)
    assert document == {
        "id": "d-1",
        "kind": "assigned",
        "ticket_id": "t-1",
        "client_id": "acme",
        "occurred_at": "2026-01-14T10:00:00+00:00",
        "subject": MESSAGE.subject,
        "summary": MESSAGE.summary,
        "text": MESSAGE.text,
        "facts": {"Priority": "P1", "Client": "ACME"},
        "links": LINKS,
    }
    assert body == json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
    assert json.loads(webhook_body(PLAIN))["links"] == {}


def test_the_webhook_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    body = webhook_body(MESSAGE)
    signature = webhook_signature("s3cret", "1768384800", body)
    expected = hmac.new(b"s3cret", b"1768384800." + body, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
    assert webhook_signature("s3cret", "1768384801", body) != signature
    assert webhook_signature("other", "1768384800", body) != signature


# --- provider errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, 502, 503, 504])
def test_timeouts_conflicts_throttling_and_server_errors_are_temporary(status: int) -> None:
    failure = http_failure(status, "try later", "30")
    assert not failure.permanent
    assert failure.retry_after == 30.0
    assert failure.response == f"HTTP {status}: try later"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 413, 422])
def test_other_client_errors_are_permanent(status: int) -> None:
    failure = http_failure(status, "no such webhook", None)
    assert failure.permanent
    assert failure.retry_after is None


def test_a_failure_keeps_only_the_start_of_a_long_body() -> None:
    assert http_failure(500, "x" * 1000, None).response == "HTTP 500: " + "x" * 300


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("120", 120.0),
        (" 7 ", 7.0),
        ("Wed, 14 Jan 2026 10:01:00 GMT", 60.0),  # IMF-fixdate
        ("Wednesday, 14-Jan-26 10:01:00 GMT", 60.0),  # obsolete RFC 850 form
        ("Wed, 14 Jan 2026 09:00:00 GMT", 0.0),  # already past
        ("soon", None),
        ("-5", None),
    ],
)
def test_retry_after_reads_seconds_or_an_http_date(
    value: str | None, seconds: float | None
) -> None:
    assert retry_after_seconds(value, NOW) == seconds


@pytest.mark.parametrize("value", ["Wed Jan 14 10:01:00 2026", "Wed, 14 Jan 2026 10:01:00 -0000"])
def test_retry_after_reads_asctime_and_unknown_zone_dates_as_utc(value: str) -> None:
    assert retry_after_seconds(value, NOW) == 60.0
