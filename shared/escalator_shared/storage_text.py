"""Text made safe for PostgreSQL at the edge, so what a sender was told we accepted can be stored.

PostgreSQL's `text` and `jsonb` refuse the NUL character (U+0000), and a lone UTF-16 surrogate
(`"\\ud800"` from a JSON escape, say) cannot be encoded as UTF-8 at all. Both come in through JSON
bodies, email headers and bodies; each is replaced by U+FFFD (the replacement character), so the
alert, mail or note becomes a ticket with a visible mark where the unstorable character was.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator

__all__ = ["REPLACEMENT", "StoredText", "storage_safe", "storage_text"]

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

T = TypeVar("T")


def storage_text(text: str) -> str:
    """`text` with every NUL and lone surrogate replaced by U+FFFD (the same object if clean)."""
    return _UNSTORABLE.sub(REPLACEMENT, text) if _UNSTORABLE.search(text) else text


def storage_safe(value: T) -> T:
    """`value` with `storage_text` applied to every string in it, dict keys included.

    Walks decoded JSON (dicts, lists) and frozen dataclasses of strings, tuples and dataclasses;
    anything else comes back as it is. Iterative, so deeply nested input cannot overflow the stack.
    """
    return _clean(value)  # type: ignore[no-any-return]


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return storage_text(value)
    if isinstance(value, dict):
        return _clean_containers(value)
    if isinstance(value, list | tuple):
        return _clean_containers(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: _clean(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value


def _clean_containers(root: dict[Any, Any] | list[Any] | tuple[Any, ...]) -> Any:
    """Clean nested dicts/lists/tuples without recursion (a copy; tuples stay tuples)."""
    copies: dict[int, Any] = {}
    pending: list[tuple[Any, bool]] = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        if id(node) in copies:
            continue
        if children_done:
            copies[id(node)] = _rebuild(node, copies)
            continue
        pending.append((node, True))
        children = node.values() if isinstance(node, dict) else node
        pending.extend((c, False) for c in children if isinstance(c, dict | list | tuple))
    return copies[id(root)]


def _rebuild(node: Any, copies: dict[int, Any]) -> Any:
    def one(item: Any) -> Any:
        if isinstance(item, dict | list | tuple):
            return copies[id(item)]
        return _clean(item)

    if isinstance(node, dict):
        return {one(key): one(item) for key, item in node.items()}
    items = [one(item) for item in node]
    return tuple(items) if isinstance(node, tuple) else items


StoredText = Annotated[str, AfterValidator(storage_text)]
"""A request-model string field cleaned by `storage_text`: use it for free text we store."""
