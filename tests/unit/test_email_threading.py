"""Threading: the ticket tag in the subject, the thread ids, the sender's domain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from escalator_intake.email.message import InboundEmail, parse_email
from escalator_intake.email.threading import (
    compile_tag_pattern,
    sender_domain,
    thread_ids,
    ticket_reference,
)

SAMPLES = Path(__file__).parent.parent / "fixtures" / "email"


def sample(name: str) -> InboundEmail:
    return parse_email((SAMPLES / name).read_bytes())


def with_subject(subject: str, extra: str = "") -> InboundEmail:
    raw = f"From: Dana <Dana@Mail.ACME.example>\r\nSubject: {subject}\r\n{extra}\r\nx"
    return parse_email(raw.encode())


def test_reply_sample_threads_by_ids() -> None:
    mail = sample("03-reply-to-ticket.eml")
    # The sample's subject carries no tag: the reply is found by its thread ids.
    assert ticket_reference(mail) is None
    assert thread_ids(mail) == ["CAF8x1a2b3c4d5@mail.acme.example"]
    assert sender_domain(mail) == "acme.example"


def test_tagged_sample() -> None:
    assert ticket_reference(sample("04-auto-reply.eml")) == "TKT-1042"
    assert thread_ids(sample("01-new-request.eml")) == []


@pytest.mark.parametrize(
    ("subject", "reference"),
    [
        ("Re: Outlook [TKT-1042]", "TKT-1042"),
        ("RE: [#TKT-7] printer", "TKT-7"),
        ("Fwd: [TKT-12] a [TKT-13] b", "TKT-12"),
        ("TKT-1042 without brackets", None),
        ("[TKT-] empty", None),
        ("[tkt-1042] lower case", None),
        ("", None),
    ],
)
def test_default_tag(subject: str, reference: str | None) -> None:
    assert ticket_reference(with_subject(subject)) == reference


def test_custom_tag_pattern() -> None:
    mail = with_subject("Re: printer (Case #00042)")
    assert ticket_reference(mail, r"\(Case #(\d+)\)") == "00042"
    assert ticket_reference(mail, re.compile(r"case #(\d+)", re.IGNORECASE)) == "00042"
    assert ticket_reference(mail) is None


@pytest.mark.parametrize("pattern", [r"TKT-\d+", r"(TKT)-(\d+)"])
def test_tag_pattern_needs_one_group(pattern: str) -> None:
    with pytest.raises(ValueError, match="exactly one group"):
        compile_tag_pattern(pattern)


def test_thread_ids_in_reply_to_then_references_newest_first_without_duplicates() -> None:
    mail = with_subject(
        "Re: x",
        "In-Reply-To: <c@x.example>\r\nReferences: <a@x.example> <b@x.example> <c@x.example>\r\n",
    )
    # References runs oldest first; its newest id is the closest message to the reply.
    assert thread_ids(mail) == ["c@x.example", "b@x.example", "a@x.example"]


def test_sender_domain() -> None:
    assert sender_domain(with_subject("x")) == "mail.acme.example"
    assert sender_domain(parse_email(b"Subject: no sender\r\n\r\nx")) == ""
