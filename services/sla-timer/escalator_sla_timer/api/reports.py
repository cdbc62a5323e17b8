"""`GET /v1/reports/sla`: attainment by client, priority, metric and period (JSON or CSV)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_shared.access import CUSTOMER_CLOCK_METRICS, Permission, Principal
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authorize
from escalator_shared.http.errors import ApiError
from escalator_sla_timer.domain.attainment import ReportKey, ReportRow, attainment
from escalator_sla_timer.tables import clocks

COLUMNS = (
    "period",
    "client",
    "priority",
    "metric",
    "met",
    "missed",
    "open",
    "attainment_percent",
    "average_elapsed_seconds",
)


def reports_router(
    config: EscalatorConfig, sessions: async_sessionmaker[AsyncSession]
) -> APIRouter:
    """The SLA report: of the caller's clients; client contacts get the contract's clocks."""
    api = APIRouter()

    @api.get("/v1/reports/sla", response_model=None)
    async def sla_report(
        request: Request,
        start: Annotated[date, Query(alias="from", description="First day (UTC), inclusive.")],
        end: Annotated[date, Query(alias="to", description="Last day (UTC), exclusive.")],
        *,
        period: Literal["week", "month", "quarter"] = "month",
        client: str | None = None,
        format: Literal["json", "csv"] = "json",
    ) -> dict[str, Any] | PlainTextResponse:
        """Clocks started in [from, to), drills and cancelled clocks left out."""
        principal = authorize(config, request, Permission.READ)
        if end <= start:
            raise ApiError(422, "empty_range", "'to' must be after 'from'")
        rows = await _report_rows(sessions, (start, end), period, _Scope(principal, client))
        if format == "csv":
            return PlainTextResponse(_csv(rows), media_type="text/csv")
        return {
            "from": start,
            "to": end,
            "period": period,
            "rows": [dict(zip(COLUMNS, r.as_tuple(), strict=True)) for r in rows],
        }

    return api


async def _report_rows(
    sessions: async_sessionmaker[AsyncSession],
    days: tuple[date, date],
    period: str,
    scope: _Scope,
) -> list[ReportRow]:
    start, end = days
    fulfilled = clocks.c.state == "fulfilled"
    live = clocks.c.state.in_(("running", "paused"))
    within = clocks.c.elapsed <= clocks.c.target
    met = and_(fulfilled, within)
    missed = or_(and_(fulfilled, ~within), and_(live, clocks.c.breached_at.is_not(None)))
    open_ = and_(live, clocks.c.breached_at.is_(None))
    bucket = func.date_trunc(literal(period), func.timezone("UTC", clocks.c.started_at))
    query = (
        select(
            bucket.label("period"),
            clocks.c.client_id,
            clocks.c.priority,
            clocks.c.metric,
            func.count().filter(met).label("met"),
            func.count().filter(missed).label("missed"),
            func.count().filter(open_).label("open"),
            func.avg(case((met, func.extract("epoch", clocks.c.elapsed)))).label("avg"),
        )
        .where(
            clocks.c.started_at >= start,
            clocks.c.started_at < end,
            clocks.c.state != "cancelled",
            clocks.c.drill.is_(False),
        )
        .group_by(bucket, clocks.c.client_id, clocks.c.priority, clocks.c.metric)
        .order_by(bucket, clocks.c.client_id, clocks.c.priority, clocks.c.metric)
    )
    clients = scope.principal.client_filter([scope.client] if scope.client else [])
    if clients is not None:
        query = query.where(clocks.c.client_id.in_(clients))
    if scope.principal.is_contact:
        query = query.where(clocks.c.metric.in_(sorted(CUSTOMER_CLOCK_METRICS)))
    async with sessions() as session:
        result = (await session.execute(query)).all()
    return [
        attainment(
            ReportKey(r.period.date(), r.client_id, r.priority, r.metric),
            met=r.met,
            missed=r.missed,
            open_=r.open,
            average=r.avg,
        )
        for r in result
    ]


@dataclass(frozen=True)
class _Scope:
    """Whose clocks a report counts: the caller's clients, narrowed to the one asked for."""

    principal: Principal
    client: str | None


def _csv(rows: list[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row.as_tuple())
    return out.getvalue()
