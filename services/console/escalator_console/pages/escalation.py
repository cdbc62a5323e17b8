"""Escalation paths: each client's rules, tiers, policy steps and vendors as a diagram drawn on
the server by Graphviz from the router's own description of the path (its DOT form)."""

from __future__ import annotations

import asyncio
import hashlib

from fastapi import APIRouter, Request, Response

from escalator_console.backends import Backends, segment
from escalator_console.pages.identity import Identities, expect_ok
from escalator_console.pages.rendering import SECURITY_HEADERS, PageError, Pages
from escalator_shared.config import EscalatorConfig

DRAW_TIMEOUT_SECONDS = 10.0
_CACHE_SIZE = 64


class Draftsman:
    """Runs Graphviz on DOT text; remembers recent drawings (paths change only with config)."""

    def __init__(self, command: str) -> None:
        self._command = command
        self._drawn: dict[str, bytes] = {}

    async def svg(self, dot: str) -> bytes:
        """The SVG drawing of the DOT text; PageError 503 when Graphviz fails or is missing."""
        key = hashlib.sha256(dot.encode()).hexdigest()
        if key in self._drawn:
            return self._drawn[key]
        try:
            process = await asyncio.create_subprocess_exec(
                self._command,
                "-Tsvg",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise PageError(503, "Cannot draw", f"Graphviz ({self._command}) is missing") from exc
        try:
            out, err = await asyncio.wait_for(
                process.communicate(dot.encode()), DRAW_TIMEOUT_SECONDS
            )
        except TimeoutError as exc:
            process.kill()
            raise PageError(503, "Cannot draw", "Graphviz took too long") from exc
        if process.returncode != 0:
            raise PageError(503, "Cannot draw", err.decode(errors="replace")[:300])
        if len(self._drawn) >= _CACHE_SIZE:
            self._drawn.pop(next(iter(self._drawn)))
        self._drawn[key] = out
        return out


def escalation_routes(
    config: EscalatorConfig,
    pages: Pages,
    identities: Identities,
    backends: Backends,
    dot_command: str,
) -> APIRouter:
    """GET /escalation, /escalation/{client} and its drawing /escalation/{client}.svg."""
    router = APIRouter()
    clients = {c.id: c.name for c in config.clients}
    draftsman = Draftsman(dot_command)

    @router.get("/escalation")
    async def index(request: Request) -> Response:
        me = await identities.me(request)
        shown = {k: v for k, v in clients.items() if me.clients is None or k in me.clients}
        return pages.render(
            request, "escalation.html", identities.context(me, clients=shown, client=None)
        )

    @router.get("/escalation/{client_id}.svg")
    async def drawing(request: Request, client_id: str) -> Response:
        me = await identities.me(request)
        path = f"/v1/clients/{segment(client_id)}/escalation-diagram"
        answer = await backends.get("router", path, me.viewer, {"format": "dot"})
        if not answer.ok:
            expect_ok(answer, "the escalation path")
        svg = await draftsman.svg(answer.text)
        return Response(svg, media_type="image/svg+xml", headers=SECURITY_HEADERS)

    @router.get("/escalation/{client_id}")
    async def client_path(request: Request, client_id: str) -> Response:
        me = await identities.me(request)
        path = f"/v1/clients/{segment(client_id)}/escalation-diagram"
        answer = await backends.get("router", path, me.viewer)
        if not answer.ok:
            expect_ok(answer, "the escalation path")
        shown = {k: v for k, v in clients.items() if me.clients is None or k in me.clients}
        context = identities.context(me, clients=shown, client=client_id, mermaid=answer.text)
        return pages.render(request, "escalation.html", context)

    return router
