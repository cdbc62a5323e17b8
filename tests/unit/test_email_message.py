"""parse_email: the sample emails field by field, charsets, HTML bodies, odd messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from escalator_intake.email.message import (
    Attachment,
    EmailParseError,
    InboundEmail,
    html_to_text,
    parse_email,
)

SAMPLES = Path(__file__).parent.parent / "fixtures" / "email"
EST = timezone(timedelta(hours=-5))


def sample(name: str) -> InboundEmail:
    return parse_email((SAMPLES / name).read_bytes())


def test_new_request() -> None:
    mail = sample("01-new-request.eml")
    assert mail.from_address == "dana.whitfield@acme.example"
    assert mail.from_name == "Dana Whitfield"
    assert mail.to == ("support@msp.example",)
    assert mail.cc == ()
    assert mail.subject == "Outlook keeps asking for my password"
    assert mail.message_id == "CAF8x1a2b3c4d5@mail.acme.example"
    assert mail.in_reply_to is None
    assert mail.references == ()
    assert mail.date == datetime(2026, 11, 20, 9, 12, 44, tzinfo=EST)
    assert mail.date is not None
    assert mail.date.utcoffset() == timedelta(hours=-5)
    assert mail.body_source == "plain"
    assert mail.text == (
        "Hi team,\n\nSince this morning Outlook on my laptop (ACME-LT-042) keeps prompting for my\n"
        "password every few minutes. Webmail works fine.\n\nThanks,\nDana"
    )
    assert mail.attachments == ()
    assert mail.content_type == "text/plain"
    assert mail.auto_submitted is None
    assert mail.return_path is None


def test_html_only_latin1() -> None:
    mail = sample("02-html-only-latin1.eml")
    assert mail.from_address == "jose.munoz@globex.example"
    assert mail.from_name == "José Muñoz"
    assert mail.subject == "Impresora de recepción no imprime"
    assert mail.message_id == "20261120150210.77@globex.example"
    assert mail.date == datetime(2026, 11, 20, 14, 2, 10, tzinfo=UTC)
    assert mail.body_source == "html"
    assert mail.text == (
        "Hola,\n\nLa impresora de recepción (GLOBEX-PRN-01) no imprime desde ayer. "
        "Es urgente.\n\nJosé"
    )
    assert "<" not in mail.text
    assert "\ufffd" not in mail.text


def test_reply_to_ticket() -> None:
    mail = sample("03-reply-to-ticket.eml")
    assert mail.subject == "Re: Outlook keeps asking for my password"
    assert mail.message_id == "CAF8x9z8y7x6@mail.acme.example"
    assert mail.in_reply_to == "CAF8x1a2b3c4d5@mail.acme.example"
    assert mail.references == ("CAF8x1a2b3c4d5@mail.acme.example",)
    assert mail.content_type == "multipart/alternative"
    assert mail.body_source == "plain"  # the text/plain alternative, not the HTML one
    assert mail.text.startswith("It is still happening, and now Teams is doing it too.")
    assert mail.text.endswith("> Hi Dana, we are looking into it.")
    assert "<p>" not in mail.text
    assert mail.attachments == ()


def test_auto_reply_headers() -> None:
    mail = sample("04-auto-reply.eml")
    assert mail.subject == "Automatic reply: [TKT-1042] We received your request"
    assert mail.message_id == "OOF-20261120-0913@mail.acme.example"
    assert mail.auto_submitted == "auto-replied"
    assert mail.x_auto_response_suppress == "All"
    assert mail.precedence is None
    assert mail.text == "I am out of the office until Monday."


def test_rmm_alert_email_with_attachment() -> None:
    mail = sample("05-rmm-alert-email.eml")
    assert mail.from_address == "noreply@ncentral.msp.example"
    assert mail.from_name == "N-central"
    assert mail.to == ("alerts@msp.example",)
    assert mail.subject == "[FAILED] Initech - INITECH-FS01 - Backup Status - Failed"
    assert mail.message_id == "nc-5591023@ncentral.msp.example"
    assert mail.date == datetime(2026, 11, 20, 2, 0, 31, tzinfo=UTC)
    assert mail.content_type == "multipart/mixed"
    assert mail.text.splitlines() == [
        "Customer: Initech",
        "Device: INITECH-FS01",
        "Service: Backup Status",
        "State: Failed",
        "Error code: 0x80070057",
        "Time: 2026-11-20 02:00:12 UTC",
    ]
    assert "VSS snapshot" not in mail.text  # the attachment is not the body
    size = len(b"VSS snapshot failed: 0x80070057 The parameter is incorrect.")
    assert mail.attachments == (Attachment("backup.log", "text/plain", size),)


def build(headers: str, body: bytes = b"Hello.\n") -> bytes:
    return headers.strip().replace("\n", "\r\n").encode() + b"\r\n\r\n" + body


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ('text/plain; charset="iso-8859-1"', "Café à côté".encode("latin-1"), "Café à côté"),
        ("text/plain; charset=windows-1252", b"\x93quoted\x94 \x80 5", "\u201cquoted\u201d € 5"),
        ("text/plain; charset=utf-8", "Grüße".encode(), "Grüße"),
        ("text/plain", "naïve".encode(), "naïve"),  # undeclared, valid UTF-8
        ("text/plain", "naïve".encode("latin-1"), "naïve"),  # undeclared, not UTF-8
        ("text/plain; charset=utf-8", b"bad \xff byte", "bad \ufffd byte"),
        ("text/plain; charset=x-no-such-charset", "ok €".encode(), "ok €"),
        ("text/plain; charset=us-ascii", "8bit é".encode(), "8bit é"),
    ],
)
def test_charsets_never_raise(content_type: str, body: bytes, expected: str) -> None:
    raw = build(f"From: a@b.example\nSubject: x\nContent-Type: {content_type}", body)
    assert parse_email(raw).text == expected


def test_encoded_and_raw_8bit_headers() -> None:
    raw = build(
        "From: =?utf-8?b?w4lsb2RpZQ==?= <elodie@x.example>\n"
        "Subject: =?windows-1252?q?=93Urgent=94?= printer\n"
        "Cc: one@x.example, Two <two@x.example>"
    )
    mail = parse_email(raw)
    assert mail.from_name == "Élodie"
    assert mail.subject == "\u201cUrgent\u201d printer"
    assert mail.cc == ("one@x.example", "two@x.example")
    raw8 = b"From: a@b.example\r\nSubject: Stra\xc3\x9fe kaputt\r\n\r\nx"
    assert parse_email(raw8).subject == "Straße kaputt"
    raw_latin = b"From: a@b.example\r\nSubject: caf\xe9\r\n\r\nx"
    assert parse_email(raw_latin).subject == "café"


def test_folded_subject_and_references_order() -> None:
    raw = build(
        "From: a@b.example\n"
        "Subject: a very long subject\n  that was folded\n"
        "In-Reply-To: <c@x.example>\n"
        "References: <a@x.example>\n <b@x.example> <c@x.example> <a@x.example>"
    )
    mail = parse_email(raw)
    assert mail.subject == "a very long subject that was folded"
    assert mail.references == ("a@x.example", "b@x.example", "c@x.example")
    assert mail.in_reply_to == "c@x.example"


def test_html_to_text_blocks_scripts_entities() -> None:
    html = (
        "<html><head><title>T</title><style>p {color: red}</style></head><body>"
        "<script>alert('x')</script><h1>Title</h1><div>line one<br>line two</div>"
        "<ul><li>first</li><li>second</li></ul><p>Caf&eacute; &amp; &lt;tea&gt;&nbsp;!</p>"
        "<table><tr><td>a</td><td>b</td></tr></table></body></html>"
    )
    assert html_to_text(html) == (
        "Title\n\nline one\nline two\n\n- first\n- second\n\nCafé & <tea> !\n\na b"
    )


def test_html_alternative_is_used_when_plain_part_is_missing() -> None:
    raw = build(
        "From: a@b.example\nSubject: x\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"',
        b"--B\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hi <b>there</b></p>\r\n"
        b"--B\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"\r\nJVBERi0=\r\n--B--\r\n",
    )
    mail = parse_email(raw)
    assert mail.text == "Hi there"
    assert mail.body_source == "html"
    assert mail.attachments == (Attachment("a.pdf", "application/pdf", 5),)


def test_classification_headers_and_report_type() -> None:
    raw = build(
        "From: MAILER-DAEMON@mx.example\nSubject: Undelivered\nReturn-Path: <>\n"
        "Precedence: bulk\nList-Id: <news.x.example>\nX-Autoreply: yes\n"
        'Content-Type: multipart/report; report-type="delivery-status"; boundary="R"',
        b"--R\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n"
        b"--R\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--R--\r\n",
    )
    mail = parse_email(raw)
    assert mail.return_path == "<>"
    assert mail.precedence == "bulk"
    assert mail.list_id == "<news.x.example>"
    assert mail.x_autoreply == "yes"
    assert mail.content_type == "multipart/report"
    assert mail.report_type == "delivery-status"
    assert mail.text == "Could not deliver."
    assert [a.content_type for a in mail.attachments] == ["message/delivery-status"]


@pytest.mark.parametrize(
    "raw",
    [
        b"From: a@b.example\r\nDate: not a date\r\n\r\nx",
        b"From: a@b.example\r\nDate: Fri, 20 Nov 99999 09:12:44 -0500\r\n\r\nx",
        b"From: <<<@@@>>>\r\nTo: ,,,;;;\r\nMessage-ID: no brackets@x\r\n\r\nx",
        b"From: a@b.example\r\nContent-Type: multipart/mixed\r\n\r\nno boundary",
        b"From: a@b.example\r\nContent-Type: text/plain; charset\r\n\r\nx",
        b"From: a@b.example\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64",
        b"Subject: =?utf-8?q?broken",
    ],
)
def test_odd_messages_still_parse(raw: bytes) -> None:
    assert isinstance(parse_email(raw), InboundEmail)


def test_odd_fields_degrade() -> None:
    assert parse_email(b"From: a@b.example\r\nDate: not a date\r\n\r\nx").date is None
    mail = parse_email(b"From: a@b.example\r\nMessage-ID: abc@x.example\r\n\r\nx")
    assert mail.message_id == "abc@x.example"
    naive = parse_email(b"From: a@b.example\r\nDate: Fri, 20 Nov 2026 09:12:44 -0000\r\n\r\nx")
    assert naive.date == datetime(2026, 11, 20, 9, 12, 44, tzinfo=UTC)
    boundless = parse_email(b"From: a@b.example\r\nContent-Type: multipart/mixed\r\n\r\nplain")
    assert boundless.text == "plain"


@pytest.mark.parametrize("raw", [b"", b"   \r\n\r\n", b"just some text", b"\x00\xff\xfe"])
def test_not_a_message(raw: bytes) -> None:
    with pytest.raises(EmailParseError):
        parse_email(raw)
