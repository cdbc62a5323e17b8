"""Who is on call: rotation layers, weekly windows, overrides and backups, as pure functions.

A layer's shift k covers the wall-clock interval [base + k*length, base + (k+1)*length), base being
`starts` at `handoff`, and belongs to members[k % n]; rotations run for all time, backwards before
`starts` too (negative k). The top-most layer covering an instant wins; overrides beat every layer
and each other in reverse order of listing. Wall-clock boundaries become instants as
`schedule_windows` explains: a daily 09:00 hand-off stays at 09:00 local, so the shift over a DST
change lasts 23 or 25 hours.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from escalator_router.domain.schedule_windows import (
    DAY,
    next_window_edge,
    to_instant,
    wall_clock,
    window_edges,
)
from escalator_shared.config.oncall import Override, RotationLayer, Schedule, windows_cover

GAP = "gap"
OVERRIDE = "override"


@dataclass(frozen=True)
class OnCall:
    """Who a schedule has on call at one instant, their backup, and until when that holds."""

    schedule: str
    person: str | None
    backup: str | None
    source: str
    until: datetime | None


@dataclass(frozen=True)
class Shift:
    """One segment of the final schedule: a person (None for a gap) from start to end."""

    person: str | None
    start: datetime
    end: datetime
    source: str


@dataclass(frozen=True)
class _Answer:
    """Who the schedule itself says, before any backup is looked up."""

    person: str | None
    source: str
    layer: int | None  # index of the winning layer, also when an override beats it
    shift: int
    override: Override | None


def on_call(
    schedule: Schedule, at: datetime, schedules: Mapping[str, Schedule] | None = None
) -> OnCall:
    """Who is on call at `at` (timezone-aware), with a backup never equal to them."""
    _require_aware(at, "at")
    zone = schedule.zone
    wall = wall_clock(at, zone)
    answer = _answer(schedule, zone, at, wall)
    until = _until(schedule, zone, at, wall, answer)
    backup = _layer_backup(schedule, answer)
    if backup is None and schedule.backup_schedule is not None:
        other = _backup_schedule(schedule.backup_schedule, schedules)
        other_zone = other.zone
        other_wall = wall_clock(at, other_zone)
        other_answer = _answer(other, other_zone, at, other_wall)
        backup = other_answer.person  # one level only: not that schedule's own backup
        until = _earliest(until, _until(other, other_zone, at, other_wall, other_answer))
    elif backup is None and schedule.backup_person is not None:
        backup = schedule.backup_person
    elif backup is None and answer.layer is not None:
        backup = _member(schedule.layers[answer.layer], answer.shift + 1)
    return OnCall(
        schedule=schedule.id,
        person=answer.person,
        backup=None if backup == answer.person else backup,
        source=answer.source,
        until=until,
    )


def final_shifts(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    """The final schedule over [start, end): contiguous segments, gaps with person None."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    zone = schedule.zone
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    cuts = sorted(
        {start, *(cut for cut in _boundaries(schedule, zone, start, end) if start < cut < end)}
    )
    shifts: list[Shift] = []
    for begin, finish in zip(cuts, [*cuts[1:], end], strict=True):
        answer = _answer(schedule, zone, begin, wall_clock(begin, zone))
        if shifts and (shifts[-1].person, shifts[-1].source) == (answer.person, answer.source):
            shifts[-1] = replace(shifts[-1], end=finish)
        elif begin < finish:
            shifts.append(Shift(answer.person, begin, finish, answer.source))
    return shifts


def coverage_gaps(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    """The segments of [start, end) in which nobody is on call."""
    return [shift for shift in final_shifts(schedule, start, end) if shift.person is None]


def override_span(override: Override, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The override's start and end as UTC instants (naive times read in `zone`)."""
    return _at(override.start, zone), _at(override.end, zone)


def _answer(schedule: Schedule, zone: ZoneInfo, at: datetime, wall: datetime) -> _Answer:
    index, shift = None, 0
    for candidate in range(len(schedule.layers) - 1, -1, -1):
        layer = schedule.layers[candidate]
        if windows_cover(layer.active, wall):
            index, shift = candidate, (wall - _base(layer)) // layer.length
            break
    override = next(
        (o for o in reversed(schedule.overrides) if _at(o.start, zone) <= at < _at(o.end, zone)),
        None,
    )
    if override is not None:
        return _Answer(override.person, OVERRIDE, index, shift, override)
    if index is None:
        return _Answer(None, GAP, None, 0, None)
    layer = schedule.layers[index]
    return _Answer(_member(layer, shift), layer.name, index, shift, None)


def _layer_backup(schedule: Schedule, answer: _Answer) -> str | None:
    """Under an override, the person whose shift it is backs up whoever covers it."""
    if answer.override is None or answer.layer is None:
        return None
    layer_person = _member(schedule.layers[answer.layer], answer.shift)
    return layer_person if layer_person != answer.person else None


def _until(
    schedule: Schedule, zone: ZoneInfo, at: datetime, wall: datetime, answer: _Answer
) -> datetime | None:
    """The next hand-off, window edge or override edge after `at` that can change the answer."""
    walls: list[datetime] = []
    if answer.layer is not None:
        winner = schedule.layers[answer.layer]
        walls.append(_base(winner) + (answer.shift + 1) * winner.length)
    # Layers below the winner cannot show through before the winner's own window closes.
    for layer in schedule.layers[answer.layer or 0 :]:
        edge = next_window_edge(layer.active, wall)
        if edge is not None:
            walls.append(edge)
    edges = [to_instant(min(walls), zone)] if walls else []
    for override in schedule.overrides:
        edges += [e for e in override_span(override, zone) if e > at]
    return min(edges, default=None)


def _boundaries(
    schedule: Schedule, zone: ZoneInfo, start: datetime, end: datetime
) -> Iterator[datetime]:
    """Every instant in (start, end] at which a hand-off, window edge or override edge falls."""
    first, last = wall_clock(start, zone), wall_clock(end, zone)
    for layer in schedule.layers:
        base, length = _base(layer), layer.length
        shift = (first - base) // length + 1
        while (handoff := base + shift * length) <= last:
            yield to_instant(handoff, zone)
            shift += 1
        for edge in window_edges(layer.active, first.date() - DAY, last.date()):
            if first < edge <= last:
                yield to_instant(edge, zone)
    for override in schedule.overrides:
        yield from override_span(override, zone)


def _backup_schedule(schedule_id: str, schedules: Mapping[str, Schedule] | None) -> Schedule:
    if schedules is None or schedule_id not in schedules:
        raise ValueError(f"backup schedule {schedule_id!r} is not among the schedules given")
    return schedules[schedule_id]


def _base(layer: RotationLayer) -> datetime:
    return datetime.combine(layer.starts, layer.handoff)


def _member(layer: RotationLayer, shift: int) -> str:
    return layer.members[shift % len(layer.members)]


def _at(value: datetime, zone: ZoneInfo) -> datetime:
    """An override time as a UTC instant; naive ones are wall-clock times in the schedule's zone."""
    return to_instant(value, zone) if value.tzinfo is None else value.astimezone(UTC)


def _earliest(first: datetime | None, second: datetime | None) -> datetime | None:
    return min((t for t in (first, second) if t is not None), default=None)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value}")
