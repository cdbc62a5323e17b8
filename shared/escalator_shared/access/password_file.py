"""Setting a person's or client contact's password hash in the configuration file, in place.

The file is edited line by line so its comments and layout survive: the holder's list item
(`- id: <person>` under people, `- email: <address>` under a client's contacts) gets its
`password_hash:` line replaced, or one added under its first line. The result is loaded and
checked before it replaces the file (atomically), so a mistake never leaves a broken file.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from escalator_shared.config import load_config


class NoSuchHolderError(LookupError):
    """No person with that id and no client contact with that email in the file."""


def set_password_hash(path: Path, holder: str, password_hash: str) -> None:
    """Write `password_hash` for the person id or contact email `holder` into the file."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start, indent = _item_start(lines, holder)
    key = " " * (indent + 2) + "password_hash:"
    new_line = f'{key} "{password_hash}"\n'
    end = start + 1
    while end < len(lines) and _inside(lines[end], indent):
        end += 1
    existing = next((i for i in range(start + 1, end) if lines[i].startswith(key)), None)
    if existing is not None:
        lines[existing] = new_line
    else:
        lines.insert(start + 1, new_line)
    _replace_checked(path, "".join(lines))


def _item_start(lines: list[str], holder: str) -> tuple[int, int]:
    # People by id in the people section; contacts by email in the clients section.
    key, section = ("email", "clients:") if "@" in holder else ("id", "people:")
    pattern = re.compile(rf"^(\s*)- {key}:\s*['\"]?{re.escape(holder)}['\"]?\s*(#.*)?$", re.I)
    current = None
    for index, line in enumerate(lines):
        if line[:1].isalpha():
            current = line.split("#", 1)[0].strip()
        found = pattern.match(line.rstrip("\n")) if current == section else None
        if found:
            return index, len(found.group(1))
    raise NoSuchHolderError(f"no person or client contact {holder!r} in the file")


def _inside(line: str, indent: int) -> bool:
    """Whether the line still belongs to the list item whose dash is at `indent`."""
    if not line.strip():
        return True
    return len(line) - len(line.lstrip(" ")) > indent


def _replace_checked(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        load_config(Path(temporary))  # raises ConfigError naming the problem
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
