"""Rendering pages: one Jinja2 environment, the headers every page carries, error pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from escalator_console.domain import local_time
from escalator_console.domain.sla_ring import metric_name, spoken_duration
from escalator_console.pages.ring_markup import ring_markup
from escalator_console.server_timing import timed

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# Scripts and styles only from the console itself; no framing, no inline script.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class PageError(Exception):
    """A page that cannot be shown, with what a person should read instead."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


class SignInNeededError(Exception):
    """The viewer has no valid session: send them to sign in, then back here."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Pages:
    """Renders templates with the filters and headers every page shares."""

    def __init__(self, refresh_seconds: float) -> None:
        self.refresh_seconds = refresh_seconds
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(("html", "svg")),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["duration"] = spoken_duration
        self._env.filters["metric"] = metric_name
        self._env.globals["query"] = _query
        self._env.globals["draw_ring"] = ring_markup

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        """The template rendered as a page (or fragment) with the security headers."""
        zone: ZoneInfo = context.get("zone", ZoneInfo("UTC"))
        now: datetime = context["now"]
        with timed("render", template):
            html = self._env.get_template(template).render(
                {
                    "request_path": request.url.path,
                    "refresh_seconds": self.refresh_seconds,
                    "local": lambda value: local_time.local(value, zone, now),
                    "full": lambda value: local_time.full(value, zone),
                    "age": lambda value: local_time.age(value, now),
                    **context,
                }
            )
        return HTMLResponse(
            html, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})}
        )


def _query(params: list[tuple[str, str]], **changes: str) -> str:
    """A query string from the page's parameters with some replaced (for filter links)."""
    kept = [(k, v) for k, v in params if k not in changes]
    kept += [(k, v) for k, v in changes.items() if v]
    return "?" + urlencode(kept) if kept else ""
