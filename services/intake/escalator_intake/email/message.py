"""One inbound email, parsed from its raw bytes into the fields intake works with.

`parse_email` is deliberately forgiving: mail arrives from every client and robot on the
internet, so a broken header or an unknown charset degrades that one field (to its raw text, an
empty value, or text decoded with replacement characters) instead of rejecting the message. The
only exception it raises is `EmailParseError`, for input that is not a message at all (empty, or
without a single header field).

Message ids (`message_id`, `in_reply_to`, `references`) are kept without their angle brackets,
so `<abc@host>` becomes `abc@host` (`escalator_shared.message_ids`, as every service keeps them).
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

from escalator_intake.email.text_decoding import decode_bytes, html_to_text, normalise_newlines
from escalator_shared.message_ids import parse_ids
from escalator_shared.storage_text import storage_safe

__all__ = ["Attachment", "EmailParseError", "InboundEmail", "html_to_text", "parse_email"]

_POLICY = email.policy.default
# Deeper MIME nesting than this is not mail a person or an RMM sent; stop descending.
_MAX_DEPTH = 20


class EmailParseError(ValueError):
    """The bytes are not an email message (empty, or no header fields at all)."""


@dataclass(frozen=True)
class Attachment:
    """An attachment's metadata; the content itself is not kept."""

    filename: str | None
    content_type: str
    size: int


@dataclass(frozen=True)
class InboundEmail:
    """The fields of one inbound message that intake classifies, threads and records."""

    from_address: str | None
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    date: datetime | None
    # The text/plain body; else the text/html body converted to text; else "".
    text: str
    # "plain", "html" or "none": where `text` came from.
    body_source: str
    attachments: tuple[Attachment, ...]
    # The top-level content type (lower-case), e.g. "multipart/report".
    content_type: str
    # The headers loop and auto-reply detection reads (None when absent), values stripped.
    auto_submitted: str | None = None
    precedence: str | None = None
    x_auto_response_suppress: str | None = None
    x_autoreply: str | None = None
    x_autorespond: str | None = None
    return_path: str | None = None
    list_id: str | None = None
    # The report-type parameter of a multipart/report message (lower-case), e.g. "delivery-status".
    report_type: str | None = None


def parse_email(raw: bytes) -> InboundEmail:
    """Parse `raw` as far as it goes; EmailParseError when it is not a message at all."""
    if not raw or not bytes(raw).strip():
        raise EmailParseError("the message is empty")
    try:
        return storage_safe(_parse(bytes(raw)))
    except EmailParseError:
        raise
    except Exception as exc:  # the last line of defence: the standard library has parser bugs
        raise EmailParseError(f"unparseable message: {type(exc).__name__}: {exc}") from exc


def _parse(raw: bytes) -> InboundEmail:
    msg = email.message_from_bytes(raw, policy=_POLICY)
    headers = _raw_headers(msg)
    if not headers:
        raise EmailParseError("the message has no header fields")

    from_name, from_address = _first_address(headers.get("from"))
    content_type, params = _content_type(msg)
    text, source, attachments = _body_and_attachments(msg)
    in_reply_to_ids = parse_ids(headers.get("in-reply-to"))
    own_ids = parse_ids(headers.get("message-id"))
    report_type = params.get("report-type") if content_type == "multipart/report" else None
    return InboundEmail(
        from_address=from_address,
        from_name=from_name,
        to=_addresses(headers.get("to")),
        cc=_addresses(headers.get("cc")),
        subject=_unstructured(headers.get("subject")),
        message_id=own_ids[0] if own_ids else None,
        in_reply_to=in_reply_to_ids[0] if in_reply_to_ids else None,
        references=parse_ids(headers.get("references")),
        date=_date(headers.get("date")),
        text=text,
        body_source=source,
        attachments=tuple(attachments),
        content_type=content_type,
        auto_submitted=_plain(headers.get("auto-submitted")),
        precedence=_plain(headers.get("precedence")),
        x_auto_response_suppress=_plain(headers.get("x-auto-response-suppress")),
        x_autoreply=_plain(headers.get("x-autoreply")),
        x_autorespond=_plain(headers.get("x-autorespond")),
        return_path=_plain(headers.get("return-path")),
        list_id=_plain(headers.get("list-id")),
        report_type=report_type.lower() if report_type else None,
    )


# --- headers -------------------------------------------------------------------------------------

_FOLD = re.compile(r"\r?\n[ \t]*|\r[ \t]*")


def _raw_headers(msg: Message) -> dict[str, str]:
    """The first occurrence of each header (lower-case name), unfolded, 8-bit bytes decoded."""
    found: dict[str, str] = {}
    for name, value in msg.raw_items():
        key = str(name).strip().lower()
        if key and key not in found:
            found[key] = _FOLD.sub(" ", _undo_surrogates(str(value))).strip()
    return found


def _undo_surrogates(text: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: read them as UTF-8, else windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    data = text.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _plain(value: str | None) -> str | None:
    return value.strip() if value is not None else None


def _unstructured(value: str | None) -> str:
    """A header's text with RFC 2047 encoded words decoded; the raw text if decoding fails."""
    if not value:
        return ""
    try:
        return str(_POLICY.header_factory("subject", value)).strip()
    except Exception:  # noqa: S110 - fall through to the older decoder
        pass
    try:
        return str(make_header(decode_header(value))).strip()
    except Exception:
        return value.strip()


def _address_pairs(value: str | None) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header; invalid entries are skipped."""
    if not value:
        return []
    try:
        header: Any = _POLICY.header_factory("to", value)
        pairs = [(str(a.display_name or ""), str(a.addr_spec or "")) for a in header.addresses]
    except Exception:
        try:
            pairs = [
                (_unstructured(name), addr) for name, addr in email.utils.getaddresses([value])
            ]
        except Exception:
            return []
    return [(name.strip(), addr.strip()) for name, addr in pairs if "@" in addr or name]


def _first_address(value: str | None) -> tuple[str, str | None]:
    pairs = _address_pairs(value)
    for name, addr in pairs:
        if addr and addr != "<>":
            return name, addr
    return (pairs[0][0], None) if pairs else ("", None)


def _addresses(value: str | None) -> tuple[str, ...]:
    return tuple(addr for _, addr in _address_pairs(value) if "@" in addr)


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except Exception:
        return None
    # RFC 5322 "-0000": the time is UTC but the sender's zone is unknown; Python gives a naive time.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _content_type(part: Message) -> tuple[str, dict[str, str]]:
    """The part's content type (lower-case) and its parameters; text/plain when unreadable."""
    try:
        ctype = part.get_content_type().lower()
    except Exception:
        ctype = "text/plain"
    params: dict[str, str] = {}
    try:
        for key, val in part.get_params() or []:
            params[str(key).lower()] = str(val)
    except Exception:  # noqa: S110 - parameters are optional
        pass
    return ctype, params


# --- body ----------------------------------------------------------------------------------------


def _body_and_attachments(msg: Message) -> tuple[str, str, list[Attachment]]:
    plain: str | None = None
    html: str | None = None
    attachments: list[Attachment] = []
    for part, ctype, is_attachment in _leaves(msg, 0):
        if is_attachment:
            attachments.append(Attachment(_filename(part), ctype, _size(part)))
        elif ctype == "text/plain" and plain is None:
            plain = _decode_text(part)
        elif ctype == "text/html" and html is None:
            html = _decode_text(part)
    if plain is not None and (plain.strip() or html is None):
        return normalise_newlines(plain).strip(), "plain", attachments
    if html is not None:
        return html_to_text(html), "html", attachments
    return "", "none", attachments


def _leaves(part: Message, depth: int) -> Iterator[tuple[Message, str, bool]]:
    """The non-multipart parts, each with its content type and whether it is an attachment."""
    if depth > _MAX_DEPTH:
        return
    ctype, _ = _content_type(part)
    if ctype.startswith("multipart/"):
        payload = part.get_payload()
        if isinstance(payload, list):
            for child in payload:
                if isinstance(child, Message):
                    yield from _leaves(child, depth + 1)
            return
        # A multipart without parts (no boundary): read what is there as text.
        yield part, "text/plain", False
        return
    yield part, ctype, _is_attachment(part, ctype)


def _is_attachment(part: Message, ctype: str) -> bool:
    try:
        disposition = (part.get_content_disposition() or "").lower()
    except Exception:
        disposition = ""
    if disposition == "attachment":
        return True
    if ctype not in {"text/plain", "text/html"}:
        return True
    return disposition == "inline" and _filename(part) is not None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return None
    return str(name) if name else None


def _size(part: Message) -> int:
    try:
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            return len(payload)
        return len(part.as_bytes())  # message/rfc822 and other structured parts
    except Exception:
        return 0


def _decode_text(part: Message) -> str:
    """A text part's content as str: its declared charset, else UTF-8, else windows-1252."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        try:
            raw = part.get_payload()
        except Exception:
            return ""
        return raw if isinstance(raw, str) else ""
    try:
        declared = part.get_content_charset()
    except Exception:
        declared = None
    return decode_bytes(data, declared)
