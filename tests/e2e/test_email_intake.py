"""Email intake end to end: real SMTP clients and a real IMAP server (Dovecot) hand us mail.

The sample emails are the ones in tests/fixtures/email (copies of ../shared/payloads/email).
"""

from __future__ import annotations

import asyncio
import re
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import httpx
import pytest

from escalator_shared.events import Envelope
from tests.e2e.conftest import STAFF_TOKEN, RunningSystem
from tests.harness.environment import REPO
from tests.harness.imap_server import ImapServer, dovecot_binary
from tests.harness.isolation import unique_suffix
from tests.harness.kafka_reader import read_topic
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

SAMPLES = REPO / "tests/fixtures/email"
MANAGER_TOKEN = "dev-staff-token-carol"
STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}
MANAGER = {"Authorization": f"Bearer {MANAGER_TOKEN}"}
IMAP_USER = "support@msp.example"
IMAP_PASSWORD = "imap-test-password"


@pytest.fixture(scope="module")
def imap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImapServer | None]:
    """A real Dovecot with the support mailbox, when Dovecot is installed."""
    if dovecot_binary() is None:
        yield None
        return
    server = ImapServer(tmp_path_factory.mktemp("dovecot"), IMAP_USER, IMAP_PASSWORD)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def config_overrides(imap: ImapServer | None) -> dict[str, Any]:
    """The example's email section, polling the test's Dovecot every second."""
    email: dict[str, Any] = {
        "own_message_id_domain": "escalator.msp.example",
        "reopen_window": "1h",
    }
    if imap is not None:
        email["imap"] = {
            "host": imap.host,
            "port": imap.port,
            "security": "none",
            "username": IMAP_USER,
            "password": IMAP_PASSWORD,
            "poll_every": "1s",
        }
    return {"email": email}


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def _message(
    sender: str,
    subject: str,
    text: str,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[bytes, str]:
    """A fresh message and its Message-ID (without brackets)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@msp.example"
    message["Subject"] = subject
    message_id = make_msgid(domain=sender.rsplit("@", 1)[1].rstrip(">"))
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    return message.as_bytes(), message_id.strip("<>")


def _read(system: RunningSystem, email_id: str) -> dict[str, Any]:
    """The stored email once intake has read it."""

    def processed() -> dict[str, Any] | None:
        with system.intake as client:
            response = client.get(f"/v1/emails/{email_id}", headers=STAFF)
        if response.status_code == 404:
            return None
        view: dict[str, Any] = response.json()
        return view if view["state"] == "processed" else None

    return eventually(processed, 20, f"email {email_id} was not read")


def _events(view: dict[str, Any]) -> list[str]:
    return [entry["event"] for entry in view["timeline"]]


def test_a_new_request_opens_a_ticket_and_the_unhappy_reply_lands_on_it(
    system: RunningSystem,
) -> None:
    first = _read(system, system.send_email(_sample("01-new-request.eml"), "dana@acme.example"))
    assert (first["outcome"], first["client_id"]) == ("opened", "acme")
    ticket = system.wait_for_ticket(first["ticket_id"], until="TicketOpened")
    assert ticket["title"] == "Outlook keeps asking for my password"
    assert ticket["requester"] == "dana.whitfield@acme.example"
    assert (ticket["source"], ticket["priority"], ticket["status"]) == ("email", "P3", "new")
    assert re.fullmatch(r"TKT-\d+", ticket["reference"])
    assert "ACME-LT-042" in ticket["description"]

    # The reply names the first message in In-Reply-To; it is a customer note, and its words
    # ("still happening", "third time", "very unhappy") ask the router to escalate.
    reply = _read(system, system.send_email(_sample("03-reply-to-ticket.eml"), "dana@acme.example"))
    assert (reply["outcome"], reply["ticket_id"]) == ("note", ticket["id"])
    view = system.wait_for_ticket(ticket["id"], until="EscalationRequested")
    assert "TicketNoteAdded" in _events(view)
    note = next(e for e in view["timeline"] if e["event"] == "TicketNoteAdded")
    assert "now Teams is doing it too" in note["summary"]
    assert "we are looking into it" not in note["summary"]  # quoted history is left out
    escalation = next(e for e in view["timeline"] if e["event"] == "EscalationRequested")
    assert "very unhappy" in escalation["summary"]
    # The router answers an unhappy customer as the policy says: the team's manager is paged.
    view = system.wait_for_ticket(ticket["id"], until="RespondersPaged")
    paged = [e["summary"] for e in view["timeline"] if e["event"] == "RespondersPaged"]
    assert paged == ["Paged carol (customer dissatisfied)"]
    assert len(system.tickets(client=["acme"], integration=["email"])) >= 1


def test_an_html_only_latin1_email_becomes_a_readable_ticket(system: RunningSystem) -> None:
    raw = _sample("02-html-only-latin1.eml")
    read = _read(system, system.send_email(raw, "jose.munoz@globex.example"))
    assert (read["outcome"], read["client_id"]) == ("opened", "globex")
    ticket = system.wait_for_ticket(read["ticket_id"], until="TicketOpened")
    assert ticket["title"] == "Impresora de recepción no imprime"
    assert (
        "La impresora de recepción (GLOBEX-PRN-01) no imprime desde ayer" in (ticket["description"])
    )
    assert "<b>" not in ticket["description"]


def test_auto_replies_bounces_and_our_own_mail_never_open_tickets(
    system: RunningSystem,
) -> None:
    auto = _read(system, system.send_email(_sample("04-auto-reply.eml"), "dana@acme.example"))
    bounce_raw, _ = _message(
        "MAILER-DAEMON@mail.acme.example", "Undelivered Mail Returned to Sender", "gone"
    )
    bounce = _read(system, system.send_email(bounce_raw, ""))
    ours_raw, _ = _message("alerts@acme.example", "[TKT-1] update", "looped back")
    ours_raw = ours_raw.replace(b"@acme.example>", b"@escalator.msp.example>", 1)
    ours = _read(system, system.send_email(ours_raw, "alerts@acme.example"))
    assert [(m["outcome"], m["ticket_id"]) for m in (auto, bounce, ours)] == [
        ("ignored", None),
        ("ignored", None),
        ("ignored", None),
    ]
    assert auto["detail"].startswith("auto_reply")
    assert bounce["detail"].startswith("bounce")
    assert ours["detail"].startswith("our_own")


def test_an_rmm_alert_email_raises_an_alert_and_its_recovery_resolves_it(
    system: RunningSystem,
) -> None:
    failed = _read(
        system, system.send_email(_sample("05-rmm-alert-email.eml"), "noreply@ncentral.example")
    )
    assert (failed["outcome"], failed["client_id"]) == ("alert", "initech")
    key = "email:ncentral:initech:initech-fs01:backup status"

    def opened() -> dict[str, Any] | None:
        found = system.tickets(dedup_key=key)
        return found[0] if found else None

    ticket = eventually(opened, 20, "the RMM alert opened no ticket")
    assert (ticket["client_id"], ticket["device"], ticket["priority"]) == (
        "initech",
        "INITECH-FS01",
        "P2",
    )
    assert ticket["source"] == "ncentral"
    # Everything on the module's tickets topic (it never has this many: read for 4 s).
    records = asyncio.run(
        read_topic(
            system.kafka_bootstrap_servers,
            system.namespace.topic_prefix + "tickets",
            expected=1_000_000,
            within=4,
        )
    )
    opened_events = [
        Envelope.from_bytes(r.value)
        for r in records
        if Envelope.from_bytes(r.value).ticket_id == ticket["id"]
    ]
    assert opened_events[0].event_type == "TicketOpened"
    assert opened_events[0].payload["error_codes"] == ["0x80070057"]
    assert "backup.log (text/plain" in ticket["description"]  # the attachment, as metadata

    recovery = (
        _sample("05-rmm-alert-email.eml")
        .replace(b"[FAILED]", b"[NORMAL]")
        .replace(b"Failed", b"Normal")
        .replace(b"<nc-5591023@", b"<nc-5591024@")
    )
    assert _read(system, system.send_email(recovery, "noreply@ncentral.example"))["outcome"] == (
        "alert"
    )
    view = system.wait_for_ticket(ticket["id"], until="TicketResolved")
    assert view["status"] == "resolved"


def test_replies_reopen_resolved_tickets_resume_held_ones_and_thread_by_subject_tag(
    system: RunningSystem,
) -> None:
    raw, first_id = _message("Sam Lee <sam@acme.example>", "VPN drops every hour", "Help!")
    ticket_id = _read(system, system.send_email(raw, "sam@acme.example"))["ticket_id"]
    ticket = system.wait_for_ticket(ticket_id, until="TicketOpened")
    with system.intake as client:
        held = client.post(
            f"/v1/tickets/{ticket_id}/status",
            json={"status": "on_hold", "hold_reason": "awaiting_customer"},
            headers=STAFF,
        )
        assert held.status_code == 200, held.text

    # A reply that lost its threading headers still finds the ticket by the tag in its subject.
    raw, _ = _message(
        "Sam Lee <sam@acme.example>", f"Re: [{ticket['reference']}] VPN", "Logs attached."
    )
    tagged = _read(system, system.send_email(raw, "sam@acme.example"))
    assert (tagged["outcome"], tagged["ticket_id"]) == ("note", ticket_id)
    view = system.wait_for_ticket(ticket_id, until="TicketStatusChanged")
    assert view["status"] == "in_progress"  # the customer answered: back in work

    with system.intake as client:
        done = client.post(f"/v1/tickets/{ticket_id}/resolve", json={}, headers=STAFF)
        assert done.status_code == 200, done.text
    raw, _ = _message(
        "Sam Lee <sam@acme.example>", "Re: VPN drops every hour", "It dropped again.", first_id
    )
    reopened = _read(system, system.send_email(raw, "sam@acme.example"))
    assert (reopened["outcome"], reopened["ticket_id"]) == ("reopened", ticket_id)
    view = system.wait_for_ticket(ticket_id, until="TicketReopened")
    assert view["status"] == "in_progress"

    # Reopening restarts the escalation chain at its first step.
    def restarted() -> list[str] | None:
        now = system.ticket(ticket_id) or {"timeline": []}
        steps = [e["summary"] for e in now["timeline"] if e["event"] == "EscalationStepReached"]
        return steps if any(s.endswith("(reopened)") for s in steps) else None

    steps = eventually(restarted, 20, "the chain did not restart")
    assert steps[-1] == "Escalation step 1 (L1 on call): paged alice (reopened)"


def test_mail_from_an_unknown_domain_is_kept_for_an_operator(system: RunningSystem) -> None:
    raw, _ = _message(f"someone@unknown-{unique_suffix()}.example", "Hello?", "Who are you?")
    email_id = system.send_email(raw, "someone@unknown.example")
    kept = _read(system, email_id)
    assert (kept["outcome"], kept["ticket_id"]) == ("unmatched", None)
    assert "no client lists the domain" in kept["detail"]
    with system.intake as client:
        listed = client.get("/v1/emails", params={"outcome": "unmatched"}, headers=STAFF)
        raw_back = client.get(f"/v1/emails/{email_id}/raw", headers=STAFF)
        by_technician = client.post(f"/v1/emails/{email_id}/replay", headers=STAFF)
        replayed = client.post(f"/v1/emails/{email_id}/replay", headers=MANAGER)
    assert email_id in [m["id"] for m in listed.json()["emails"]]
    # Byte for byte but for the line ending SMTP's DATA adds at the end.
    assert raw_back.content.rstrip(b"\r\n") == raw.rstrip(b"\r\n")
    assert by_technician.status_code == 403
    assert replayed.status_code == 202, replayed.text
    assert _read(system, email_id)["outcome"] == "unmatched"  # same configuration, same answer


def test_the_same_message_twice_opens_one_ticket_and_opened_mail_is_not_replayed(
    system: RunningSystem,
) -> None:
    raw, _ = _message("kim@globex.example", "Scanner offline", "The scanner is offline.")
    first = _read(system, system.send_email(raw, "kim@globex.example"))
    second = _read(system, system.send_email(raw, "kim@globex.example"))
    assert first["outcome"] == "opened"
    assert (second["outcome"], second["ticket_id"]) == ("duplicate", None)
    with system.intake as client:
        refused = client.post(f"/v1/emails/{first['id']}/replay", headers=MANAGER)
    assert refused.status_code == 409
    assert "this one is opened" in refused.json()["message"]


def test_a_message_in_the_imap_mailbox_is_stored_once_and_flagged_seen(
    system: RunningSystem, imap: ImapServer | None
) -> None:
    if imap is None:
        pytest.skip("dovecot is not installed (make test installs it when root)")
    raw, message_id = _message("pat@acme.example", "Mapped drive missing", "Drive H: is gone.")
    imap.deliver(raw)

    def stored() -> list[dict[str, Any]] | None:
        with system.intake as client:
            found = client.get("/v1/emails", params={"state": "processed"}, headers=STAFF)
        mine = [m for m in found.json()["emails"] if m["message_id"] == message_id]
        return mine or None

    found = eventually(stored, 20, "the IMAP message was not stored")
    assert [(m["channel"], m["outcome"]) for m in found] == [("imap", "opened")]
    eventually(lambda: imap.unseen() == 0 or None, 10, "the message was not flagged Seen")
    ticket = system.wait_for_ticket(found[0]["ticket_id"], until="TicketOpened")
    assert ticket["title"] == "Mapped drive missing"

    # As if the poller had died between storing and flagging: it fetches the message again,
    # recognises it by mailbox, UIDVALIDITY and UID, flags it and stores nothing new.
    imap.mark_all_unseen()
    eventually(lambda: imap.unseen() == 0 or None, 10, "the message was not flagged again")
    assert len(stored() or []) == 1


def test_bad_smtp_input_gets_a_clear_smtp_error(system: RunningSystem) -> None:
    with smtplib.SMTP("127.0.0.1", system.intake_smtp_port, timeout=10) as client:
        code, _ = client.ehlo()
        assert code == 250
        assert client.rcpt("support@msp.example")[0] == 503  # RCPT before MAIL
    metrics = httpx.get(system.services["intake"].url + "/metrics").text
    received = re.search(
        r'^escalator_emails_received_total\{channel="smtp"\} (\S+)$', metrics, re.M
    )
    opened = re.search(
        r'^escalator_emails_processed_total\{outcome="opened"\} (\S+)$', metrics, re.M
    )
    assert received is not None
    assert opened is not None
    assert float(received.group(1)) > 0
    assert float(opened.group(1)) > 0


def _bare_ids_request(sender: str, subject: str, text: str) -> tuple[bytes, str]:
    """A request from a client that writes its Message-ID without angle brackets; its id."""
    message_id = f"CAF8x{unique_suffix()}@mail.acme.example"
    raw = (
        f"From: {sender}\r\nTo: support@msp.example\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    )
    return raw.encode(), message_id


def _acknowledgement(system: RunningSystem, ticket: dict[str, Any], to: str) -> EmailMessage:
    """Our acknowledgement of the ticket as delivered, once intake has recorded its sending."""
    [ack] = system.smtp.wait_for(ticket["reference"], within=20, to=to)

    def recorded() -> bool | None:
        view = system.ticket(ticket["id"]) or {"timeline": []}
        sent = [e["summary"] for e in view["timeline"] if e["event"] == "NotificationDelivered"]
        return any(s.endswith(f"by email at {to}") for s in sent) or None

    # Intake learns our Message-ID from NotificationDelivered, a moment after the mail went
    # out; a person's reply comes later than that.
    eventually(recorded, 20, "the acknowledgement's delivery is not on the timeline")
    return ack


def test_our_acknowledgement_writes_every_message_id_in_angle_brackets(
    system: RunningSystem,
) -> None:
    # Issue 21, item 8: the customer's client writes its ids bare; we store them bare.
    sender = f"kim.{unique_suffix()}@acme.example"
    raw, their_id = _bare_ids_request(sender, "Scanner on floor 3 is offline", "No network.")
    read = _read(system, system.send_email(raw, sender))
    assert read["message_id"] == their_id
    ticket = system.wait_for_ticket(read["ticket_id"], until="TicketOpened")
    [ack] = system.smtp.wait_for(ticket["reference"], within=20, to=sender)
    assert re.fullmatch(r"<[^<>\s]+@escalator\.msp\.example>", str(ack["Message-ID"]))
    assert (ack["In-Reply-To"], ack["References"]) == (f"<{their_id}>", f"<{their_id}>")


def test_a_reply_to_our_acknowledgement_that_lost_its_tag_joins_the_ticket(
    system: RunningSystem,
) -> None:
    # Issue 21, item 9: the reply's subject has no [TKT-n] tag; its In-Reply-To and References
    # (bare, as this client writes them) name our acknowledgement and nothing intake read.
    sender = f"lee.{unique_suffix()}@acme.example"
    raw, _ = _bare_ids_request(sender, "Badge reader at the door", "It beeps red for everyone.")
    ticket_id = _read(system, system.send_email(raw, sender))["ticket_id"]
    ticket = system.wait_for_ticket(ticket_id, until="TicketOpened")
    ours = str(_acknowledgement(system, ticket, sender)["Message-ID"]).strip("<>")
    raw = (
        f"From: {sender}\r\nTo: support@msp.example\r\nSubject: Re: Badge reader\r\n"
        f"Message-ID: r{unique_suffix()}@mail.acme.example\r\n"
        f"In-Reply-To: {ours}\r\nReferences: {ours}\r\n\r\nStill red this morning.\r\n"
    ).encode()
    reply = _read(system, system.send_email(raw, sender))
    assert (reply["outcome"], reply["ticket_id"]) == ("note", ticket_id)
    view = system.wait_for_ticket(ticket_id, until="TicketNoteAdded")
    notes = [e["summary"] for e in view["timeline"] if e["event"] == "TicketNoteAdded"]
    assert any("Still red this morning." in note for note in notes), notes
    opened = [
        t
        for t in system.tickets(client=["acme"], integration=["email"])
        if t["requester"] == sender
    ]
    assert [t["id"] for t in opened] == [ticket_id]
