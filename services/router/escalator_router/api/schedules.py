"""`GET /v1/schedules`: every on-call schedule, who is on call now and next, and its shifts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from escalator_router.domain.directory import Directory
from escalator_router.domain.schedule_view import ScheduleView, Window, schedule_views
from escalator_router.domain.schedules import Shift
from escalator_shared.access import Permission
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import utc_now
from escalator_shared.http.auth import authorize
from escalator_shared.http.errors import ApiError

MAX_DAYS = 31


def schedules_router(config: EscalatorConfig, directory: Directory) -> APIRouter:
    """The schedules endpoint (staff; schedules are staff-wide, so client scopes do not narrow)."""
    api = APIRouter()
    people = {person.id for person in config.people}

    @api.get("/v1/schedules")
    async def list_schedules(
        request: Request,
        start: Annotated[datetime | None, Query(alias="from")] = None,
        days: int = 14,
        person: str | None = None,
    ) -> dict[str, Any]:
        """Each schedule over [from, from + days): now, next, final shifts, layers, overrides."""
        authorize(config, request, Permission.READ_INTERNAL)
        now = utc_now()
        if start is not None and (start.tzinfo is None or start.utcoffset() is None):
            raise ApiError(422, "naive_time", "from needs a UTC offset, e.g. 2026-12-21T09:00:00Z")
        if not 1 <= days <= MAX_DAYS:
            raise ApiError(422, "invalid_days", f"days must be 1 to {MAX_DAYS}, not {days}")
        if person is not None and person not in people:
            raise ApiError(404, "unknown_person", f"no person {person!r}")
        window = Window(start or now, (start or now) + timedelta(days=days), person)
        views = schedule_views(directory.schedules, directory.teams.values(), now, window)
        return {
            "as_of": _time(now),
            "from": _time(window.start),
            "until": _time(window.end),
            "schedules": [_view(view) for view in views],
        }

    return api


def _view(view: ScheduleView) -> dict[str, Any]:
    schedule, now = view.schedule, view.now
    upcoming = view.next
    return {
        "id": schedule.id,
        "name": schedule.name or schedule.id,
        "time_zone": schedule.time_zone,
        "teams": view.teams,
        "now": {
            "person": now.person,
            "backup": now.backup,
            "source": now.source,
            "until": _time(now.until),
        },
        "next": None
        if upcoming is None
        else {"person": upcoming.person, "from": _time(upcoming.start)},
        "shifts": _shifts(view.shifts),
        "layers": [
            {"index": layer.index, "name": layer.name, "shifts": _shifts(layer.shifts)}
            for layer in view.layers
        ],
        "overrides": [
            {"person": o.person, "start": _time(o.start), "end": _time(o.end), "note": o.note}
            for o in view.overrides
        ],
    }


def _shifts(shifts: list[Shift]) -> list[dict[str, Any]]:
    return [
        {"person": s.person, "start": _time(s.start), "end": _time(s.end), "source": s.source}
        for s in shifts
    ]


def _time(value: datetime | None) -> str | None:
    """Every time in the answer is given in UTC."""
    return None if value is None else value.astimezone(UTC).isoformat()
