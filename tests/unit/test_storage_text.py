"""Text made storable: NUL and lone surrogates become U+FFFD, everywhere in a decoded value."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import BaseModel

from escalator_intake.email.message import parse_email
from escalator_shared.storage_text import StoredText, storage_safe, storage_text


def test_nul_and_lone_surrogates_are_replaced() -> None:
    assert storage_text("a\x00b\ud800c\udfffd") == "a\ufffdb\ufffdc\ufffdd"
    assert storage_text("a\x00b\ud800c").encode("utf-8") == "a\ufffdb\ufffdc".encode()


def test_clean_text_is_unchanged() -> None:
    text = "Drucker defekt \u2013 \U0001f5a8 \t\r\n"
    assert storage_text(text) is text


def test_decoded_json_is_cleaned_in_values_and_keys() -> None:
    decoded = json.loads('{"t\\u0000": ["x\\ud800", {"k": "\\u0000"}, 3, null, true]}')
    assert storage_safe(decoded) == {"t\ufffd": ["x\ufffd", {"k": "\ufffd"}, 3, None, True]}


def test_deep_nesting_does_not_overflow() -> None:
    deep: list[object] = ["\x00"]
    for _ in range(50_000):
        deep = [deep]
    cleaned = storage_safe(deep)
    for _ in range(50_000):
        cleaned = cleaned[0]  # type: ignore[assignment]
    assert cleaned == ["\ufffd"]


@dataclass(frozen=True)
class _Mail:
    subject: str
    to: tuple[str, ...]
    size: int


def test_frozen_dataclasses_are_cleaned_field_by_field() -> None:
    assert storage_safe(_Mail("a\x00", ("b\ud800@x",), 3)) == _Mail("a\ufffd", ("b\ufffd@x",), 3)


class _Note(BaseModel):
    text: StoredText


def test_a_request_field_is_cleaned_when_validated() -> None:
    assert _Note.model_validate_json('{"text": "a\\u0000b"}').text == "a\ufffdb"


def test_a_parsed_email_holds_no_nul() -> None:
    raw = b"From: a@b.example\r\nSubject: x\x00y\r\n\r\nbody \x00 text\r\n"
    parsed = parse_email(raw)
    assert (parsed.subject, parsed.text) == ("x\ufffdy", "body \ufffd text")
