"""Text out of mail parts: bytes in any (or no) declared charset, and HTML as readable text."""

from __future__ import annotations

import codecs
import re
from html import unescape
from html.parser import HTMLParser

# Mail clients read latin-1 as its superset windows-1252.
_LATIN1_ALIASES = {"latin-1", "latin1", "iso-8859-1", "iso8859-1", "iso_8859-1", "l1", "cp819"}


def decode_bytes(data: bytes, charset: str | None) -> str:
    """`data` in `charset` with replacement characters; undeclared: UTF-8 if valid, else cp1252."""
    name = (charset or "").strip().strip('"').lower()
    if name in _LATIN1_ALIASES:
        # What mail clients label latin-1 is nearly always windows-1252 (curly quotes, euro sign).
        name = "cp1252"
    if name and name not in {"us-ascii", "ascii", "unknown-8bit", "x-unknown"}:
        try:
            codecs.lookup(name)
        except (LookupError, ValueError):
            name = ""
        else:
            try:
                return data.decode(name, errors="replace")
            except Exception:  # noqa: S110 - a broken codec falls back to the guess below
                pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- HTML to text --------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "tfoot",
        "thead", "tr", "ul",
    }
)  # fmt: skip
_PARAGRAPH_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "ul", "ol", "dl", "pre"}
)
_DROPPED_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})
# Markers for block boundaries, resolved into line breaks once the whole text is known.
_LINE = "\x01"
_PARAGRAPH = "\x02"
_MARKERS_REMOVED = str.maketrans("", "", "\x00\x01\x02")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._dropping = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in _DROPPED_TAGS:
            self._dropping += 1
        elif tag == "pre":
            self._pre += 1
        if tag == "br":
            self.chunks.append("\n")
        elif tag in _BLOCK_TAGS:
            self.chunks.append(_PARAGRAPH if tag in _PARAGRAPH_TAGS else _LINE)
        if tag == "li":
            self.chunks.append("- ")
        elif tag in {"td", "th"}:
            self.chunks.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag == "br":
            self.chunks.append("\n")
        elif tag in _BLOCK_TAGS:
            self.chunks.append(_LINE)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in _DROPPED_TAGS:
            self._dropping = max(0, self._dropping - 1)
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag in _BLOCK_TAGS and tag != "br":
            self.chunks.append(_PARAGRAPH if tag in _PARAGRAPH_TAGS else _LINE)

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        data = data.translate(_MARKERS_REMOVED)
        if self._pre:
            self.chunks.append(data.replace("\n", "\x00"))  # kept through whitespace collapsing
        else:
            self.chunks.append(re.sub(r"\s+", " ", data))


_TAG = re.compile(r"<[^>]*>")
# A run of block boundaries, <br> line breaks and the spaces between them.
_BREAKS = re.compile(r"[ \t]*[\x01\x02\n][\x01\x02\n \t]*")


def _collapse_breaks(match: re.Match[str]) -> str:
    """A paragraph boundary is one blank line; else as many line breaks as <br>s, at least one."""
    run = match.group()
    if _PARAGRAPH in run:
        return "\n\n"
    return "\n" * max(1, run.count("\n"))


def html_to_text(html: str) -> str:
    """Readable text of an HTML body: blocks become lines, scripts and styles are dropped."""
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
        text = _BREAKS.sub(_collapse_breaks, "".join(extractor.chunks))
    except Exception:  # a parser failure: strip the tags the crude way
        text = unescape(_TAG.sub(" ", html))
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines).replace("\x00", "\n")
    return re.sub(r"\n{3,}", "\n\n", text).strip()
