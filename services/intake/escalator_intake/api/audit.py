"""`GET /v1/audit`: who did what, when and from where, on every service (admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_intake.audit_log import AuditQuery, as_csv, lines
from escalator_shared.access import Permission
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authorize
from escalator_shared.http.errors import ApiError


def audit_router(
    config: EscalatorConfig, session_factory: async_sessionmaker[AsyncSession]
) -> APIRouter:
    """The audit log endpoint."""
    router = APIRouter(tags=["access"])

    @router.get("/v1/audit", response_model=None)
    async def audit(
        request: Request,
        *,
        person: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
        format: Literal["json", "csv"] = "json",
    ) -> dict[str, Any] | PlainTextResponse:
        """Newest first: staff actions (every state-changing request) and failed tokens."""
        authorize(config, request, Permission.ADMINISTER)
        for name, value in (("since", since), ("until", until)):
            if value is not None and value.tzinfo is None:
                raise ApiError(422, "naive_time", f"{name} needs a UTC offset, e.g. …T09:00:00Z")
        async with session_factory() as session:
            found = await lines(session, AuditQuery(person, since, until, limit))
        if format == "csv":
            return PlainTextResponse(as_csv(found), media_type="text/csv")
        return {"lines": found}

    return router
