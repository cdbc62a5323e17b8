"""What a message says: Jinja2 templates per kind of notice and channel, rendered to three parts.

A template `{kind}.{channel}.j2` (e.g. `sla_breached.sms.j2`) wins over `{kind}.j2`; templates in
the configured folder win over the built-in ones, which extend `_base.j2` and fill its blocks
`subject`, `summary` (one line: SMS and chat previews) and `text`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from escalator_notifier.domain.payloads import ordered_links

BUILT_IN = Path(__file__).parent.parent / "templates"
_SEPARATOR = "\x1e"
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Content:
    """The rendered parts of one message."""

    subject: str
    summary: str
    text: str


class TemplateBook:
    """The templates, from the operator's folder first and then the built-in ones."""

    def __init__(self, folder: Path | None = None) -> None:
        loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(BUILT_IN)]
        if folder is not None:
            loaders.insert(0, jinja2.FileSystemLoader(folder))
        # Templates are read once: no file checks on every message.
        self._env = SandboxedEnvironment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=False,
            keep_trailing_newline=False,
            auto_reload=False,
        )
        self._chosen: dict[tuple[str, str], jinja2.Template] = {}
        self._html = jinja2.Environment(
            loader=jinja2.FileSystemLoader(BUILT_IN), autoescape=True
        ).get_template("email.html.j2")

    def render(self, kind: str, channel: str, context: Mapping[str, Any]) -> Content:
        """The message for a kind of notice on a channel."""
        template = self._chosen.get((kind, channel))
        if template is None:
            template = self._env.select_template([f"{kind}.{channel}.j2", f"{kind}.j2"])
            self._chosen[(kind, channel)] = template
        parts = template.render(context).split(_SEPARATOR)
        if len(parts) != 3:
            raise ValueError(f"template {template.name} must extend _base.j2 (three blocks)")
        subject, summary, text = parts
        return Content(subject=_one_line(subject), summary=_one_line(summary), text=_tidy(text))

    def html(self, subject: str, text: str, links: Mapping[str, str]) -> str:
        """The HTML part of an email: the text's paragraphs, and the links as buttons."""
        paragraphs: Sequence[list[str]] = [
            block.splitlines() for block in text.split("\n\n") if block.strip()
        ]
        return self._html.render(subject=subject, paragraphs=paragraphs, links=ordered_links(links))


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", " ".join(text.split())).strip()


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"
