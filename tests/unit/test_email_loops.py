"""classify: which mail may act on tickets (only normal mail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from escalator_intake.email.loops import MailKind, classify, is_own_id
from escalator_intake.email.message import InboundEmail, parse_email

SAMPLES = Path(__file__).parent.parent / "fixtures" / "email"
OURS = "msp.example"


def sample(name: str) -> InboundEmail:
    return parse_email((SAMPLES / name).read_bytes())


def build(headers: str, body: bytes = b"Hello.\r\n") -> InboundEmail:
    base = (
        "From: Dana <dana@acme.example>\nTo: support@msp.example\nMessage-ID: <m1@acme.example>\n"
    )
    raw = (base + headers.strip()).replace("\n", "\r\n").encode() + b"\r\n\r\n" + body
    return parse_email(raw)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("01-new-request.eml", MailKind.NORMAL),
        ("02-html-only-latin1.eml", MailKind.NORMAL),
        ("03-reply-to-ticket.eml", MailKind.NORMAL),
        ("04-auto-reply.eml", MailKind.AUTO_REPLY),
        ("05-rmm-alert-email.eml", MailKind.NORMAL),  # a noreply robot, but an alert we want
    ],
)
def test_samples(name: str, kind: MailKind) -> None:
    assert classify(sample(name), OURS) is kind


REPORT = (
    b"--R\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
    b"--R\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--R--\r\n"
)


@pytest.mark.parametrize(
    ("headers", "body", "kind"),
    [
        ("Subject: Hello", b"x", MailKind.NORMAL),
        ("Subject: Re: Automatic reply: hi", b"x", MailKind.NORMAL),  # a person answering one
        ("Subject: Auto insurance question", b"x", MailKind.NORMAL),
        ("Subject: Absence of backups", b"x", MailKind.NORMAL),
        ("Auto-Submitted: no\nSubject: x", b"x", MailKind.NORMAL),
        # auto replies
        ("Auto-Submitted: auto-generated\nSubject: x", b"x", MailKind.AUTO_REPLY),
        ("Auto-Submitted: Auto-Replied; owner-email=a@b\nSubject: x", b"x", MailKind.AUTO_REPLY),
        ("X-Autoreply: yes\nSubject: x", b"x", MailKind.AUTO_REPLY),
        ("X-Autorespond: x\nSubject: x", b"x", MailKind.AUTO_REPLY),
        ("Precedence: auto_reply\nSubject: x", b"x", MailKind.AUTO_REPLY),
        ("Subject: Automatic reply: Your ticket", b"x", MailKind.AUTO_REPLY),
        ("Subject: Auto: Printer", b"x", MailKind.AUTO_REPLY),
        ("Subject: AutoReply: Printer", b"x", MailKind.AUTO_REPLY),
        ("Subject: Out of Office: Printer", b"x", MailKind.AUTO_REPLY),
        ("Subject: Out of the office until Monday", b"x", MailKind.AUTO_REPLY),
        ("Subject: Automatische Antwort: Drucker", b"x", MailKind.AUTO_REPLY),
        ("Subject: Abwesenheitsnotiz: Drucker", b"x", MailKind.AUTO_REPLY),
        ("Subject: =?utf-8?q?R=C3=A9ponse_automatique_:_x?=", b"x", MailKind.AUTO_REPLY),
        ("Subject: =?utf-8?q?Respuesta_autom=C3=A1tica:_x?=", b"x", MailKind.AUTO_REPLY),
        ("Subject: Automatisch antwoord: x", b"x", MailKind.AUTO_REPLY),
        ("Subject: Risposta automatica: x", b"x", MailKind.AUTO_REPLY),
        ("Subject: Automatiskt svar: x", b"x", MailKind.AUTO_REPLY),
        (
            "Subject: Read\nContent-Type: multipart/report; report-type=disposition-notification; "
            'boundary="R"',
            REPORT,
            MailKind.AUTO_REPLY,
        ),
        # bulk
        ("Precedence: bulk\nSubject: News", b"x", MailKind.BULK),
        ("Precedence: list\nSubject: News", b"x", MailKind.BULK),
        ("Precedence: junk\nSubject: News", b"x", MailKind.BULK),
        ("List-Id: Users <users.lists.example>\nSubject: News", b"x", MailKind.BULK),
        # bounces
        (
            'Subject: Undelivered\nContent-Type: multipart/report; report-type="delivery-status"; '
            'boundary="R"',
            REPORT,
            MailKind.BOUNCE,
        ),
        ("Return-Path: <>\nSubject: Failure", b"x", MailKind.BOUNCE),
        ("Return-Path: <dana@acme.example>\nSubject: x", b"x", MailKind.NORMAL),
        # auto-responders send with an empty return path too; the explicit header decides
        ("Return-Path: <>\nAuto-Submitted: auto-replied\nSubject: x", b"x", MailKind.AUTO_REPLY),
    ],
)
def test_built_cases(headers: str, body: bytes, kind: MailKind) -> None:
    assert classify(build(headers, body), OURS) is kind


@pytest.mark.parametrize(
    "sender", ["MAILER-DAEMON@mx.acme.example", "postmaster@acme.example", "Mailer-Daemon@x"]
)
def test_daemon_senders_are_bounces(sender: str) -> None:
    raw = f"From: {sender}\r\nSubject: Undeliverable\r\n\r\nx".encode()
    assert classify(parse_email(raw), OURS) is MailKind.BOUNCE


@pytest.mark.parametrize(
    "message_id", ["<notify.42@msp.example>", "<n.1@msp.example.>", "<X@MSP.EXAMPLE>"]
)
def test_our_own_message_coming_back(message_id: str) -> None:
    raw = f"From: support@msp.example\r\nMessage-ID: {message_id}\r\nSubject: [TKT-1] x\r\n\r\nx"
    assert classify(parse_email(raw.encode()), OURS) is MailKind.OUR_OWN


def test_references_to_our_ids() -> None:
    reply = build("Subject: Re: [TKT-1] x\nIn-Reply-To: <n.1@msp.example>")
    chained = build("Subject: Re: x\nReferences: <a@acme.example> <n.1@msp.example>")
    # A person answering our notification is how replies thread: normal by default.
    assert classify(reply, OURS) is MailKind.NORMAL
    assert classify(chained, OURS) is MailKind.NORMAL
    # For robot-only mailboxes the caller can count references as loops.
    assert classify(reply, OURS, references_count_as_own=True) is MailKind.OUR_OWN
    assert classify(chained, OURS, references_count_as_own=True) is MailKind.OUR_OWN
    assert classify(build("Subject: x"), OURS, references_count_as_own=True) is MailKind.NORMAL


@pytest.mark.parametrize(
    ("message_id", "domain", "own"),
    [
        ("a@msp.example", "msp.example", True),
        ("<a@msp.example>", "@MSP.example", True),
        ("a@ncentral.msp.example", "msp.example", False),  # the MSP's own RMM is not us
        ("a@notmsp.example", "msp.example", False),
        ("a@msp.example.evil", "msp.example", False),
        ("no-at-sign", "msp.example", False),
        (None, "msp.example", False),
        ("a@msp.example", "", False),
    ],
)
def test_is_own_id(message_id: str | None, domain: str, own: bool) -> None:
    assert is_own_id(message_id, domain) is own
