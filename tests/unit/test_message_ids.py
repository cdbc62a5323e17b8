"""Message ids: kept bare, written in brackets; and the headers an outgoing email carries."""

from __future__ import annotations

import email
import email.policy

import pytest

from escalator_shared.message_ids import (
    bare_id,
    bracketed_id,
    parse_ids,
    references_header,
)
from escalator_shared.smtp import OutgoingEmail, build_message

ID = "CAF8x1a2b3c4d5@mail.acme.example"


@pytest.mark.parametrize("given", [ID, f"<{ID}>", f"  <{ID}> ", f"< {ID} >", f"\t{ID}\r\n"])
def test_an_id_bare_or_bracketed_is_kept_bare_and_written_bracketed(given: str) -> None:
    assert bare_id(given) == ID
    assert bracketed_id(given) == f"<{ID}>"


@pytest.mark.parametrize("given", ["", "  ", "<>", "a b@x.example", "a<b@x.example", "a@x\nBcc: y"])
def test_what_is_no_id_is_refused(given: str) -> None:
    with pytest.raises(ValueError, match="not a message id"):
        bracketed_id(given)


def test_bare_id_of_nothing_is_none() -> None:
    assert bare_id(None) is None
    assert bare_id(" <> ") is None


def test_references_are_bracketed_space_separated_and_skip_what_cannot_be_written() -> None:
    assert references_header(
        ["a@x.example", "<b@x.example>", None, "", "c d@x", "a@x.example"]
    ) == ("<a@x.example> <b@x.example>")
    assert references_header([]) == ""


@pytest.mark.parametrize(
    ("header", "ids"),
    [
        (f"<{ID}>", (ID,)),
        ("<a@x.example> <b@x.example>\t<a@x.example>", ("a@x.example", "b@x.example")),
        ("<a@x.example>,<b@x.example>", ("a@x.example", "b@x.example")),
        (f"{ID} other@x.example", (ID, "other@x.example")),  # clients that omit the brackets
        ("Dana's message <a@x.example> of Monday", ("a@x.example",)),
        ("no ids here", ()),
        ("", ()),
        (None, ()),
    ],
)
def test_parse_ids(header: str | None, ids: tuple[str, ...]) -> None:
    assert parse_ids(header) == ids


def test_what_we_write_parses_back_to_the_ids() -> None:
    ids = ["a@x.example", ID, "n.1@escalator.msp.example"]
    assert parse_ids(references_header(ids)) == tuple(ids)


def _sent(message_id: str, references: tuple[str, ...]) -> email.message.EmailMessage:
    outgoing = OutgoingEmail(
        to="dana@acme.example",
        subject="Re: Outlook [TKT-1042]",
        body="We have received your request.",
        message_id=message_id,
        references=references,
    )
    raw = build_message(outgoing, "support@msp.example").as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_an_outgoing_email_writes_every_id_in_brackets() -> None:
    sent = _sent("d-1@escalator.msp.example", ("first@mail.acme.example", f"<{ID}>"))
    assert sent["Message-ID"] == "<d-1@escalator.msp.example>"
    assert sent["In-Reply-To"] == f"<{ID}>"
    assert sent["References"] == f"<first@mail.acme.example> <{ID}>"
    # The standard library reads them as msg-ids without complaint.
    parsed = email.policy.default.header_factory("message-id", sent["In-Reply-To"])
    assert parsed.defects == ()
    assert sent["Message-ID"].defects == ()


def test_an_email_that_answers_nothing_has_no_threading_headers() -> None:
    sent = _sent("<d-2@escalator.msp.example>", ())
    assert sent["Message-ID"] == "<d-2@escalator.msp.example>"
    assert sent["In-Reply-To"] is None
    assert sent["References"] is None
