"""On call: for each schedule who is on call now and next, a 14-day timeline in the viewer's
zone, and the viewer's own upcoming shifts (GET /v1/schedules on the router)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from escalator_console.backends import Backends
from escalator_console.domain.local_time import parse_time
from escalator_console.domain.shift_bars import day_marks, shift_bars
from escalator_console.pages.identity import Identities, expect_ok
from escalator_console.pages.rendering import Pages
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import utc_now

DAYS = 14


def on_call_routes(
    config: EscalatorConfig, pages: Pages, identities: Identities, backends: Backends
) -> APIRouter:
    """GET /on-call."""
    router = APIRouter()
    people = {p.id: p.name for p in config.people}
    teams = {t.id: t.name or t.id for t in config.teams}

    @router.get("/on-call")
    async def on_call(request: Request) -> Response:
        me = await identities.me(request)
        start = utc_now().astimezone(me.zone).replace(hour=0, minute=0, second=0, microsecond=0)
        end = start + timedelta(days=DAYS)
        params = {"from": start.isoformat(), "days": str(DAYS)}
        body = expect_ok(
            await backends.get("router", "/v1/schedules", me.viewer, params), "on call"
        )
        schedules = []
        mine = []
        for schedule in body["schedules"]:
            bars = shift_bars(schedule["shifts"], start, end)
            schedules.append({**schedule, "bars": bars})
            now = parse_time(body["as_of"]) or utc_now()
            mine += [(schedule, bar) for bar in bars if bar.person == me.person and bar.end > now]
        mine.sort(key=lambda pair: pair[1].start)
        context = identities.context(
            me,
            schedules=schedules,
            mine=mine,
            marks=day_marks(start, end, me.zone),
            people=people,
            teams=teams,
            days=DAYS,
        )
        return pages.render(request, "on_call.html", context)

    return router
