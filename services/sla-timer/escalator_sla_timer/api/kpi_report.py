"""`GET /v1/reports/kpis`: KPIs over local days, sliced by client, priority, tier and team, in
one total or per day, week, month or quarter (JSON or CSV)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_shared.access import CUSTOMER_CLOCK_METRICS, Permission
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authorize
from escalator_shared.http.errors import ApiError
from escalator_sla_timer.report_store import records_between
from escalator_sla_timer.reporting.kpi_rows import CSV_COLUMNS, kpi_rows, kpis_json
from escalator_sla_timer.reporting.kpis import Kpis, ReportSlice, kpis, local_midnight
from escalator_sla_timer.reporting.periods import Grouping, periods

Many = Annotated[list[str] | None, Query()]


def kpi_router(config: EscalatorConfig, sessions: async_sessionmaker[AsyncSession]) -> APIRouter:
    """KPIs of the caller's clients; client contacts get the contract's clocks only."""
    api = APIRouter()

    @api.get("/v1/reports/kpis", response_model=None)
    async def kpi_report(
        request: Request,
        first: Annotated[date, Query(alias="from", description="First local day, inclusive.")],
        end: Annotated[date, Query(alias="to", description="Last local day, exclusive.")],
        *,
        zone: Annotated[str, Query(description="IANA zone the days are in.")] = "UTC",
        by: Grouping = "total",
        client: Many = None,
        priority: Many = None,
        tier: Many = None,
        team: Many = None,
        format: Literal["json", "csv"] = "json",
    ) -> dict[str, Any] | PlainTextResponse:
        """Drills never count; see docs/reports.md for what each KPI counts."""
        principal = authorize(config, request, Permission.READ)
        if end <= first:
            raise ApiError(422, "empty_range", "'to' must be after 'from'")
        tz = _zone(zone)
        pieces = periods(first, end, by)
        scope = ReportSlice(
            local_midnight(first, tz),
            local_midnight(end, tz),
            tz,
            priorities=frozenset(priority or ()),
            tiers=frozenset(tier or ()),
            teams=frozenset(team or ()),
        )
        clients = principal.client_filter(client or [])
        async with sessions() as session:
            records = await records_between(session, scope.start, scope.end, clients)

        def measured(piece: tuple[date, date]) -> Kpis:
            start, stop = (local_midnight(day, tz) for day in piece)
            figures = kpis(records, replace(scope, start=start, end=stop))
            return _for_contacts(figures) if principal.is_contact else figures

        split = [(piece, measured(piece)) for piece in pieces]
        if format == "csv":
            return PlainTextResponse(_csv(split), media_type="text/csv")
        whole = split[0][1] if by == "total" else measured((first, end))
        return {
            "from": first,
            "to": end,
            "zone": zone,
            "by": by,
            "total": kpis_json(whole),
            "periods": [{"from": piece[0], "to": piece[1], **kpis_json(f)} for piece, f in split],
        }

    return api


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ApiError(422, "unknown_zone", f"'zone' is not an IANA time zone: {name!r}") from error


def _for_contacts(figures: Kpis) -> Kpis:
    """A client's contacts see the clocks their contract promises, not internal OLAs."""
    kept = {k: a for k, a in figures.attainment.items() if k in CUSTOMER_CLOCK_METRICS}
    return replace(figures, attainment=kept)


def _csv(figures: list[tuple[tuple[date, date], Kpis]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for piece, f in figures:
        writer.writerows(kpi_rows(piece, f))
    return out.getvalue()
