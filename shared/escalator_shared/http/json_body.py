"""JSON request bodies, read the same way by every service: nesting is limited.

Python's JSON parser recurses once per level: twenty thousand `[` raise `RecursionError`, a 500
with a traceback. A body nested a few hundred levels deep parses, but the event made from it
does not decode again (pydantic's JSON parser stops at 200 levels), so an alert accepted with
202 would be dead-lettered by its consumer. Every JSON body is therefore refused with
`400 invalid_json` when it nests deeper than `MAX_JSON_DEPTH` levels (senders' payloads nest
a handful):

- `parse_json` for code that reads a body itself (intake's webhooks, the vendor webhook);
- `JsonDepthLimit`, ASGI middleware each service's app puts in front of FastAPI, for the
  routes whose JSON body FastAPI parses (those declared with a pydantic model).

The depth is measured on the bytes, before anything is parsed, in a few passes of C code: a body
with no more opening brackets than the limit passes at once; otherwise strings are cut out and
the brackets left counted (`[`/`{` up, `]`/`}` down). An Alertmanager batch of 100 alerts
(45 kB) takes about a tenth of the time `json.loads` takes.
"""

from __future__ import annotations

import json
from itertools import accumulate
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from escalator_shared.http.errors import ApiError, error_response

MAX_JSON_DEPTH = 64

_KEEP = b'[]{}"'
_DROP = bytes(b for b in range(256) if b not in _KEEP)
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def nested_deeper_than(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text opens more than `limit` arrays or objects inside each other."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    # Escaped backslashes, then escaped quotes, go first (a JSON backslash always starts a
    # pair); the quotes left delimit strings, whose brackets do not count.
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Of each string only its quotes and brackets are left: most are `""` (a pair of quotes
    # side by side has no outside text between them either way), which go before the split.
    quoted = raw.translate(None, _DROP).replace(b'""', b"")
    brackets = b"".join(quoted.split(b'"')[::2])
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def too_deep() -> ApiError:
    """The answer to a body nested too deep."""
    return ApiError(
        400, "invalid_json", f"the body is not accepted: JSON nested over {MAX_JSON_DEPTH} levels"
    )


def parse_json(raw: bytes) -> Any:
    """The body as JSON, or `400 invalid_json` naming the problem."""
    if nested_deeper_than(raw):
        raise too_deep()
    try:
        return json.loads(raw)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {exc}") from exc


class JsonDepthLimit:
    """ASGI middleware: answer `400 invalid_json` to a JSON body nested too deep, before the
    app parses it; any other request goes through untouched (its body handed on as read)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check a JSON body, then pass the request on."""
        if scope["type"] != "http" or not _declares_json(scope):
            await self._app(scope, receive, send)
            return
        received: list[Message] = []
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = b"".join(m.get("body", b"") for m in received if m["type"] == "http.request")
        if nested_deeper_than(body):
            await error_response(too_deep())(scope, receive, send)
            return

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        await self._app(scope, replay, send)


def _declares_json(scope: Scope) -> bool:
    """Whether the request says its body is JSON (`application/json`, `application/*+json`):
    the bodies FastAPI parses as JSON."""
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    for name, value in headers:
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or (
                media.startswith(b"application/") and media.endswith(b"+json")
            )
    return False
