"""What we answer 2xx or 250 becomes a ticket, and mail over the size limit is refused clearly.

NUL characters and lone surrogates cannot be stored in PostgreSQL text or jsonb; intake replaces
them with U+FFFD at the edge (issue 21, item 2). The SMTP listener advertises SIZE and refuses a
message over `email.max_message_bytes` with 552 5.3.4, also one whose lines are very long (item 7).
"""

from __future__ import annotations

import base64
import smtplib
from typing import Any

import pytest

from tests.e2e.conftest import INTEGRATION, INTEGRATION_TOKEN, STAFF_TOKEN, RunningSystem
from tests.e2e.service_metrics import metric_sum
from tests.harness.isolation import unique_suffix
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}
LIMIT = 100_000
TOO_LARGE = (552, b"5.3.4 Message size exceeds fixed maximum message size")


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """A small message size limit, so the refusals need no megabytes."""
    return {"email": {"own_message_id_domain": "escalator.msp.example", "max_message_bytes": LIMIT}}


def _opened_by_email(system: RunningSystem, email_id: str) -> dict[str, Any]:
    def processed() -> dict[str, Any] | None:
        with system.intake as client:
            view: dict[str, Any] = client.get(f"/v1/emails/{email_id}", headers=STAFF).json()
        return view if view.get("state") == "processed" else None

    read = eventually(processed, 20, f"email {email_id} was not read")
    assert read["outcome"] == "opened", read
    return system.wait_for_ticket(read["ticket_id"], until="TicketOpened")


def _raw_email(subject: bytes, body: bytes) -> bytes:
    return (
        b"From: Dana Whitfield <dana.whitfield@acme.example>\r\n"
        b"To: support@msp.example\r\n"
        b"Subject: " + subject + b"\r\n"
        b"Message-ID: <" + unique_suffix().encode() + b"@acme.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n" + body + b"\r\n"
    )


def test_a_webhook_with_nul_and_a_lone_surrogate_becomes_a_ticket(system: RunningSystem) -> None:
    marker = unique_suffix()
    # Written as JSON escapes, as a sender's JSON library writes them.
    body = (
        '{"title": "nul \\u0000 byte and \\ud800 surrogate ' + marker + '", '
        '"severity": "minor", "device": "srv-\\u0000' + marker + '", '
        '"labels": {"k\\u0000ey": "v\\udfffalue"}}'
    ).encode()
    with system.intake as client:
        response = client.post(
            f"/v1/webhooks/{INTEGRATION}",
            content=body,
            headers={
                "Authorization": f"Bearer {INTEGRATION_TOKEN}",
                "Content-Type": "application/json",
            },
        )
    assert response.status_code == 202, response.text
    ticket = system.wait_for_ticket(response.json()["ticket_id"], until="TicketOpened")
    assert ticket["title"] == f"nul \ufffd byte and \ufffd surrogate {marker}"


def test_a_pagerduty_event_with_a_nul_byte_becomes_a_ticket(system: RunningSystem) -> None:
    marker = unique_suffix()
    # The case: only a NUL, which JSON parsers and pydantic let through to PostgreSQL.
    body = (
        '{"routing_key": "R0123456789abcdef0123456789abcd", "event_action": "trigger", '
        '"dedup_key": "nul-'
        + marker
        + '", "payload": {"summary": "nul \\u0000 byte '
        + marker
        + '", "source": "sw\\u0000-'
        + marker
        + '", "severity": "error"}}'
    ).encode()
    with system.intake as client:
        response = client.post(
            "/v2/enqueue", content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 202, response.text
    found = eventually(
        lambda: system.tickets(dedup_key=f"nul-{marker}"), 20, "the event became no ticket"
    )
    assert [t["title"] for t in found] == [f"nul \ufffd byte {marker}"]


def test_a_note_with_a_nul_byte_is_kept(system: RunningSystem) -> None:
    ticket_id = system.post_alert({"title": f"Note target {unique_suffix()}", "severity": "minor"})
    system.wait_for_ticket(ticket_id, until="TicketOpened")
    with system.intake as client:
        response = client.post(
            f"/v1/tickets/{ticket_id}/notes",
            content=b'{"text": "called the user \\u0000 twice"}',
            headers={**STAFF, "Content-Type": "application/json"},
        )
    assert response.status_code == 201, response.text
    view = system.wait_for_ticket(ticket_id, until="TicketNoteAdded")
    notes = [e["summary"] for e in view["timeline"] if e["event"] == "TicketNoteAdded"]
    assert any("called the user \ufffd twice" in note for note in notes), notes


def test_an_email_with_nul_bytes_becomes_a_ticket(system: RunningSystem) -> None:
    marker = unique_suffix()
    raw = _raw_email(
        b"Printer \x00 jammed " + marker.encode(), b"It says \x00\x00 on the display.\r\nDana"
    )
    ticket = _opened_by_email(system, system.send_email(raw, "dana.whitfield@acme.example"))
    assert ticket["title"] == f"Printer \ufffd jammed {marker}"
    assert "It says \ufffd\ufffd on the display." in ticket["description"]


def test_ehlo_advertises_the_size_limit(system: RunningSystem) -> None:
    with smtplib.SMTP("127.0.0.1", system.intake_smtp_port, timeout=10) as client:
        client.ehlo()
        assert client.esmtp_features["size"] == str(LIMIT)


def test_a_declared_size_over_the_limit_is_refused_at_mail_from(system: RunningSystem) -> None:
    refused = _too_large_count(system)
    with smtplib.SMTP("127.0.0.1", system.intake_smtp_port, timeout=10) as client:
        client.ehlo()
        assert client.mail("big@acme.example", [f"SIZE={LIMIT + 1}"]) == TOO_LARGE
    eventually(lambda: _too_large_count(system) > refused, 5, "the refusal was not counted")


def test_a_long_line_attachment_over_the_limit_is_refused_with_552(system: RunningSystem) -> None:
    refused = _too_large_count(system)
    # An attachment base64-encoded without line breaks, as some senders write it.
    attachment = base64.b64encode(b"\x89PNG" * LIMIT)
    raw = _raw_email(b"Screenshot", b"See attached.\r\n" + attachment)
    with smtplib.SMTP("127.0.0.1", system.intake_smtp_port, timeout=10) as client:
        client.ehlo()
        assert client.mail("dana.whitfield@acme.example")[0] == 250
        assert client.rcpt("support@msp.example")[0] == 250
        assert client.data(raw) == TOO_LARGE
        # The session goes on: the next message is taken.
        assert client.mail("dana.whitfield@acme.example")[0] == 250
    eventually(lambda: _too_large_count(system) > refused, 5, "the refusal was not counted")


def test_a_long_line_under_the_limit_is_taken(system: RunningSystem) -> None:
    marker = unique_suffix()
    line = base64.b64encode(b"x" * (LIMIT // 2))
    raw = _raw_email(f"Long line {marker}".encode(), b"Logs:\r\n" + line)
    ticket = _opened_by_email(system, system.send_email(raw, "dana.whitfield@acme.example"))
    assert ticket["title"] == f"Long line {marker}"


def _too_large_count(system: RunningSystem) -> float:
    return metric_sum(
        system.services["intake"],
        "escalator_emails_refused_total",
        channel="smtp",
        reason="too_large",
    )
