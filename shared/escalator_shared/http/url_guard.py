"""Refuse a URL holding a NUL character before any route reads it.

PostgreSQL cannot take a NUL in a text parameter (`invalid byte sequence for encoding "UTF8":
0x00`), so `GET /v1/tickets?client=%00` or `GET /v1/tickets/%00` would reach the database and
fail there as a 500. No identifier or filter value of ours can hold one, so such a request is
answered `400 invalid_request` naming the part of the URL, for every route of every service.
(Bodies are cleaned instead: `escalator_shared.storage_text`.) Lone surrogates cannot reach a
route through a URL: percent-decoding reads them as U+FFFD.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from escalator_shared.http.errors import ApiError, error_response


def unstorable_url_part(scope: Scope) -> str | None:
    """'path' or 'query' when that part of the request's URL decodes to a NUL, else None."""
    if "\x00" in scope.get("path", ""):
        return "path"
    query: bytes = scope.get("query_string", b"")
    # %00 is the only way to write the byte 0 percent-encoded.
    return "query" if b"%00" in query or b"\x00" in query else None


class UrlGuard:
    """ASGI middleware answering 400 for a URL with a NUL; everything else passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse or pass on one request."""
        if scope["type"] == "http":
            part = unstorable_url_part(scope)
            if part is not None:
                message = f"the URL's {part} holds a NUL character (%00), which no value here has"
                response = error_response(ApiError(400, "invalid_request", message))
                await response(scope, receive, send)
                return
        await self._app(scope, receive, send)
