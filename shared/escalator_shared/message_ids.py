"""Email message ids (Message-ID, In-Reply-To, References): kept bare, written in brackets.

RFC 5322 writes a msg-id in angle brackets, `<CAF8x1a2@mail.acme.example>`, and mail clients
thread on exactly that. Every service stores and passes ids bare (`CAF8x1a2@mail.acme.example`)
and brackets them only when it writes a header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["bare_id", "bracketed_id", "parse_ids", "references_header"]

_BRACKETED = re.compile(r"<([^<>\s]+)>")
# What a bare id must not contain: brackets, whitespace (a header line ends at a line break).
_NOT_IN_ID = re.compile(r"[<>\s]")


def bare_id(value: str | None) -> str | None:
    """The id without its brackets and surrounding space, bare or bracketed; None if empty."""
    if value is None:
        return None
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    return text or None


def bracketed_id(value: str) -> str:
    """`<id>` for an id given bare or bracketed; ValueError for one that cannot be written."""
    bare = bare_id(value)
    if bare is None or _NOT_IN_ID.search(bare):
        raise ValueError(f"not a message id: {value!r}")
    return f"<{bare}>"


def references_header(ids: Iterable[str | None]) -> str:
    """A References (or In-Reply-To) value: each id in brackets, separated by spaces.

    Ids that cannot be written (empty, or with spaces or brackets inside) are left out: a
    threading header is a hint to mail clients, not worth refusing a message for.
    """
    written: dict[str, None] = {}
    for value in ids:
        try:
            written.setdefault(bracketed_id(value or ""), None)
        except ValueError:
            continue
    return " ".join(written)


def parse_ids(value: str | None) -> tuple[str, ...]:
    """The ids in a Message-ID, In-Reply-To or References header: in order, bare, each once.

    Some clients omit the brackets; then every word with an `@` counts as an id.
    """
    if not value:
        return ()
    found = _BRACKETED.findall(value)
    if not found:
        found = [word.strip("<>,;") for word in value.split() if "@" in word]
    ids: dict[str, None] = {}
    for one in found:
        if one:
            ids.setdefault(one, None)
    return tuple(ids)
