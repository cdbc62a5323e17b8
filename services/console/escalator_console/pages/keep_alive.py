"""Keeping a session alive while its queue or ticket is open: intake's sessions lapse after 30
idle minutes, and a queue on a wall screen only polls. At most every five minutes, a page or
refresh of the queue or a ticket asks intake to push the idle expiry out
(`POST /v1/session/refresh`; never past the session's absolute end)."""

from __future__ import annotations

import time

from fastapi import Request, Response

from escalator_console.backends import Backends
from escalator_console.pages.identity import viewer_of
from escalator_shared.access.sessions import CSRF_COOKIE, SESSION_COOKIE

REFRESHED_COOKIE = "escalator_refreshed"
KEEP_ALIVE_EVERY_SECONDS = 300


class KeepAlive:
    """Refreshes the viewer's session when the last refresh is older than five minutes."""

    def __init__(self, backends: Backends) -> None:
        self._backends = backends

    async def touch(self, request: Request, response: Response) -> None:
        """Refresh if due, and note when on the response."""
        if SESSION_COOKIE not in request.cookies:
            return
        last = request.cookies.get(REFRESHED_COOKIE, "")
        now = int(time.time())
        if last.isdigit() and now - int(last) < KEEP_ALIVE_EVERY_SECONDS:
            return
        viewer = viewer_of(request, request.cookies.get(CSRF_COOKIE))
        answer = await self._backends.post("intake", "/v1/session/refresh", viewer)
        if answer.ok:
            response.set_cookie(
                REFRESHED_COOKIE, str(now), secure=True, httponly=True, samesite="strict"
            )
