"""Hot endpoints answered ahead of FastAPI.

FastAPI (0.165) finds a request's route by first walking every route of every included router
to check that none changed, then matching candidates one by one, and every request passes its
own middleware (server errors, body limit, telemetry, exceptions): in intake, with some forty
routes, that was about half of the CPU of accepting a single alert. A `DirectRoute` is matched
by one compiled pattern and its handler called straight away. The service's HTTP metrics wrap
it like any other route; `ApiError` becomes the JSON body the app's error handlers give; a
path it serves asked with another method is answered 405; an unexpected exception is left to
the server (uvicorn logs it and answers 500).

Only endpoints that senders call thousands of times a second belong here; everything else is
an ordinary FastAPI route.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from escalator_shared.http.errors import ApiError, error_response

DirectHandler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class DirectRoute:
    """One method and path template (`/v1/webhooks/{integration_id}`) and its handler."""

    method: str
    path: str
    handler: DirectHandler
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern, _format, _convertors = compile_path(self.path)
        object.__setattr__(self, "_pattern", pattern)

    def path_params(self, path: str) -> dict[str, str] | None:
        """The path parameters when the path is this route's, else None."""
        found = self._pattern.match(path)
        return None if found is None else found.groupdict()


class DirectRoutes:
    """ASGI middleware: serve the direct routes, pass every other request on."""

    def __init__(self, app: ASGIApp, routes: Sequence[DirectRoute]) -> None:
        self._app = app
        self._routes = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a request a direct route matches; anything else goes to the app."""
        if scope["type"] == "http":
            allowed: list[str] = []
            for route in self._routes:
                params = route.path_params(scope["path"])
                if params is None:
                    continue
                if route.method != scope["method"]:
                    allowed.append(route.method)
                    continue
                # `route` is what the HTTP metrics label requests by (its `path` template).
                scope["route"] = route
                scope["path_params"] = params
                await _serve(route, scope, receive, send)
                return
            if allowed:
                await _method_not_allowed(scope["method"], allowed)(scope, receive, send)
                return
        await self._app(scope, receive, send)


def _method_not_allowed(method: str, allowed: list[str]) -> Response:
    return error_response(
        ApiError(
            405,
            "method_not_allowed",
            f"{method} is not allowed here; use {' or '.join(allowed)}",
            headers={"Allow": ", ".join(allowed)},
        )
    )


async def _serve(route: DirectRoute, scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive, send)
    try:
        response = await route.handler(request)
    except ApiError as exc:
        response = error_response(exc)
    await response(scope, receive, send)
