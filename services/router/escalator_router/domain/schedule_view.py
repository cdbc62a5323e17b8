"""What a schedule looks like over a window, for people reading the rota: who is on call now and
who takes over next, the final shifts, each rotation layer on its own, and the overrides.

Shifts are clipped to the window. For one person, only their shifts and overrides are listed; who
is on call now and next stays the whole schedule's answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from escalator_router.domain.schedules import OnCall, Shift, final_shifts, on_call, override_span
from escalator_shared.config import Schedule, Team

# How far ahead the next hand-over is looked for, a week at a time; beyond it `next` is None.
NEXT_HORIZON = timedelta(days=91)
_LOOK_AHEAD = timedelta(days=7)


@dataclass(frozen=True)
class Window:
    """The instants [start, end) a view covers, and whose shifts it lists (None: everyone's)."""

    start: datetime
    end: datetime
    person: str | None = None


@dataclass(frozen=True)
class Handover:
    """The first change of person after now: who (None: nobody, a gap) and from when."""

    person: str | None
    start: datetime


@dataclass(frozen=True)
class LayerShifts:
    """One rotation layer's own shifts, as if it were the schedule's only layer."""

    index: int
    name: str
    shifts: list[Shift]


@dataclass(frozen=True)
class OverrideSpan:
    """An override as UTC instants."""

    person: str
    start: datetime
    end: datetime
    note: str


@dataclass(frozen=True)
class ScheduleView:
    """One schedule over a window."""

    schedule: Schedule
    teams: list[str]
    now: OnCall
    next: Handover | None
    shifts: list[Shift]
    layers: list[LayerShifts]
    overrides: list[OverrideSpan]


def schedule_views(
    schedules: Mapping[str, Schedule], teams: Iterable[Team], now: datetime, window: Window
) -> list[ScheduleView]:
    """Every schedule's view, in the order given."""
    team_list = list(teams)
    return [schedule_view(s, schedules, team_list, now, window) for s in schedules.values()]


def schedule_view(
    schedule: Schedule,
    schedules: Mapping[str, Schedule],
    teams: Iterable[Team],
    now: datetime,
    window: Window,
) -> ScheduleView:
    """The schedule's view at `now` over the window (`schedules` for its backup schedule)."""
    current = on_call(schedule, now, schedules)
    layers = [
        LayerShifts(index, layer.name, _mine(_layer_shifts(schedule, index, window), window))
        for index, layer in enumerate(schedule.layers)
    ]
    return ScheduleView(
        schedule=schedule,
        teams=[team.id for team in teams if team.schedule == schedule.id],
        now=current,
        next=next_handover(schedule, now, current.person),
        shifts=_mine(final_shifts(schedule, window.start, window.end), window),
        layers=layers,
        overrides=_overrides(schedule, window),
    )


def next_handover(
    schedule: Schedule, now: datetime, person: str | None, horizon: timedelta = NEXT_HORIZON
) -> Handover | None:
    """The first final shift after `now` whose person is not `person`, within the horizon."""
    start, last = now, now + horizon
    while start < last:
        end = min(start + _LOOK_AHEAD, last)
        for shift in final_shifts(schedule, start, end):
            if shift.person != person:
                return Handover(shift.person, shift.start)
        start = end
    return None


def _layer_shifts(schedule: Schedule, index: int, window: Window) -> list[Shift]:
    alone = schedule.model_copy(update={"layers": [schedule.layers[index]], "overrides": []})
    return final_shifts(alone, window.start, window.end)


def _overrides(schedule: Schedule, window: Window) -> list[OverrideSpan]:
    found = []
    for override in schedule.overrides:
        start, end = override_span(override, schedule.zone)
        mine = window.person is None or override.person == window.person
        if mine and start < window.end and end > window.start:
            found.append(OverrideSpan(override.person, start, end, override.note))
    return found


def _mine(shifts: list[Shift], window: Window) -> list[Shift]:
    if window.person is None:
        return shifts
    return [shift for shift in shifts if shift.person == window.person]
