"""Reading the pages' own forms (URL-encoded posts) and where a form may send a person next."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request

from escalator_console.pages.rendering import PageError

MAX_FORM_BYTES = 256 * 1024


class Form:
    """One posted form: single values by name, with every value of repeated fields."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        self._fields = fields

    def get(self, name: str, default: str = "") -> str:
        """The field's first value, stripped of surrounding space."""
        values = self._fields.get(name)
        return values[0].strip() if values else default

    def all(self, name: str) -> list[str]:
        """Every non-empty value of the field."""
        return [v.strip() for v in self._fields.get(name, []) if v.strip()]

    def checked(self, name: str) -> bool:
        """Whether a checkbox was ticked."""
        return name in self._fields

    def pairs(self, prefix: str) -> dict[str, str]:
        """Fields named `prefix[key]` as {key: value} (non-empty values only)."""
        found = {}
        for name, values in self._fields.items():
            if name.startswith(prefix + "[") and name.endswith("]") and values and values[0]:
                found[name[len(prefix) + 1 : -1]] = values[0].strip()
        return found


async def form_of(request: Request) -> Form:
    """The request's form; 413 when it is larger than any page of ours posts."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise PageError(413, "Too large", "That form is larger than the console accepts.")
    form = await request.form(max_files=0, max_fields=200, max_part_size=MAX_FORM_BYTES)
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return Form(fields)


def local_path(candidate: str | None, default: str = "/") -> str:
    """`candidate` when it is a path on this site (never another host), else `default`."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return default
    if "\\" in candidate or any(ord(c) < 32 for c in candidate):
        return default
    return candidate
