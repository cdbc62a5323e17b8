"""`POST /v1/explain`: who gets this ticket or alert, and what happens next."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_router.domain.explanation import explain
from escalator_router.domain.router import Router
from escalator_router.explain_request import ExplainRequest, answer, facts_from_stored
from escalator_router.tables import routings
from escalator_shared.access import Permission
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import utc_now
from escalator_shared.http.auth import authorize, hidden
from escalator_shared.http.errors import ApiError


def explain_router(
    config: EscalatorConfig, router: Router, sessions: async_sessionmaker[AsyncSession]
) -> APIRouter:
    """The explain endpoint (staff; another client's ticket or alert: 404 to a scoped caller)."""
    api = APIRouter()

    @api.post("/v1/explain")
    async def explain_ticket(body: ExplainRequest, request: Request) -> dict[str, Any]:
        """Matched rule and why earlier ones did not, priority, tier, on call, the timeline."""
        principal = authorize(config, request, Permission.READ_INTERNAL)
        at = body.at or utc_now()
        if body.alert is not None:
            hidden(principal, body.alert.client, _unknown_client(body.alert.client))
            facts = body.alert.facts(config, at)
        else:
            async with sessions() as session:
                stored = (
                    await session.execute(
                        select(routings.c.facts).where(routings.c.ticket_id == body.ticket_id)
                    )
                ).scalar_one_or_none()
            not_found = ApiError(404, "unknown_ticket", f"no routed ticket {body.ticket_id!r}")
            if stored is None:
                raise not_found
            facts = facts_from_stored(stored, at)
            hidden(principal, facts.client_id, not_found)
        return answer(explain(router, config, facts), config)

    return api


def _unknown_client(client_id: str) -> ApiError:
    return ApiError(404, "unknown_client", f"no client {client_id!r}")
