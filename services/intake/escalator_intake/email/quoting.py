"""The new content of a reply: quoted history removed.

Removed are lines starting with ">" (wherever they are, so interleaved answers survive) and
everything from the first reply header on: "On <date>, <name> wrote:" (also wrapped over two
lines, and its German, French, Spanish and Dutch forms), "-----Original Message-----", and
Outlook's "From: ... / Sent: ..." block (optionally after a line of underscores).
"""

from __future__ import annotations

import re

__all__ = ["strip_quoted"]

_ATTRIBUTION_END = re.compile(
    r"(?:\bwrote|\bschrieb\b.*|\ba\s+écrit|\bescribió|\bschreef)\s*:\s*$", re.IGNORECASE
)
_ATTRIBUTION_START = re.compile(r"^\s*(?:On|Am|Le|El|Op)\s", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Urspr[üu]ngliche Nachricht|Message d'origine|"
    r"Mensaje original)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:From|Von|De)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\s*\*?(?:Sent|Gesendet|Envoyé|Enviado|Date)\s*:\*?\s", re.IGNORECASE)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
# How many lines an Outlook header block may have between From: and Sent:.
_OUTLOOK_WINDOW = 3


def strip_quoted(text: str) -> str:
    """`text` without quoted lines and without everything after a reply header."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    end = _history_start(lines)
    kept = [line for line in lines[:end] if not line.lstrip().startswith(">")]
    return "\n".join(kept).strip()


def _history_start(lines: list[str]) -> int:
    """The index of the first line of quoted history (len(lines) when there is none)."""
    for index, line in enumerate(lines):
        if _ORIGINAL_MESSAGE.match(line):
            return index
        if _ATTRIBUTION_START.match(line):
            if _ATTRIBUTION_END.search(line):
                return index
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if _ATTRIBUTION_END.search(following) and not following.lstrip().startswith(">"):
                return index
        if _UNDERSCORES.match(line) and _outlook_block_at(lines, index + 1):
            return index
        if _outlook_block_at(lines, index):
            return index
    return len(lines)


def _outlook_block_at(lines: list[str], index: int) -> bool:
    if index >= len(lines) or not _OUTLOOK_FROM.match(lines[index]):
        return False
    window = lines[index + 1 : index + 1 + _OUTLOOK_WINDOW]
    return any(_OUTLOOK_SENT.match(line) for line in window)
