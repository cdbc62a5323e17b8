"""On-call schedules as an operator writes them: rotations, layers, restrictions, overrides, backup.

Times of day and naive datetimes are read in the schedule's time zone; hand-offs keep their wall
clock time across DST changes (a daily 09:00 hand-off stays at 09:00 local, so that shift lasts
23 or 25 hours). The router's `domain.schedules` answers who is on call; these models only
describe and validate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from escalator_shared.config.durations import Duration

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: Final[tuple[Weekday, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROTATION_LENGTHS: Final = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
MINIMUM_SHIFT: Final = timedelta(minutes=15)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def check_time_zone(name: str) -> str:
    """`name` if it is an IANA time zone this machine knows; ValueError otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (expected e.g. Europe/London)") from exc
    return name


def _local_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a time of day is read in the schedule's zone; drop the UTC offset")
    return value


class TimeWindow(_Strict):
    """A weekly window, e.g. weekdays 09:00-17:30; `end` <= `start` runs past midnight.

    A window over midnight belongs to the day it starts: `days: [fri], start: 18:00, end: 09:00`
    is Friday 18:00 to Saturday 09:00. Fri 18:00 to Mon 09:00 takes three windows (Fri evening,
    the whole of Sat and Sun as 00:00-00:00, and Mon until 09:00).
    """

    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)
    start: time = time(0, 0)
    end: time = time(0, 0)

    @field_validator("start", "end")
    @classmethod
    def _no_offset(cls, value: time) -> time:
        return _local_time(value)


class RotationLayer(_Strict):
    """Members take turns in shifts of one length, handing off at a wall-clock time.

    Shift k starts at `starts` + `handoff` + k x length (local wall clock) and belongs to
    `members[k % len(members)]`. With `active` windows the layer covers only those times.
    """

    name: str = Field(min_length=1)
    members: list[str] = Field(min_length=1)
    rotation: Literal["daily", "weekly", "custom"] = "weekly"
    shift_length: Duration | None = Field(
        default=None, description="Length of one shift; required for custom rotations."
    )
    starts: date = Field(description="Day the rotation begins with its first member.")
    handoff: time = Field(default=time(9, 0), description="Local time of day shifts change.")
    active: list[TimeWindow] = Field(
        default_factory=list, description="Restrict the layer to these weekly windows."
    )

    @field_validator("handoff")
    @classmethod
    def _no_offset(cls, value: time) -> time:
        return _local_time(value)

    @model_validator(mode="after")
    def _length_fits_rotation(self) -> RotationLayer:
        if self.rotation == "custom" and self.shift_length is None:
            raise ValueError("a custom rotation needs shift_length (e.g. 12h or 3d)")
        if self.rotation != "custom" and self.shift_length is not None:
            raise ValueError(f"shift_length is only for custom rotations, not {self.rotation}")
        if self.shift_length is not None and self.shift_length < MINIMUM_SHIFT:
            raise ValueError("a shift must last at least 15 minutes")
        return self

    @property
    def length(self) -> timedelta:
        """The length of one shift in wall-clock time."""
        return self.shift_length or ROTATION_LENGTHS[self.rotation]


class Override(_Strict):
    """Someone covers a period instead of whoever the layers say (naive times: schedule zone)."""

    person: str
    start: datetime
    end: datetime
    note: str = ""

    @model_validator(mode="after")
    def _ends_after_start(self) -> Override:
        if (self.start.tzinfo is None) != (self.end.tzinfo is None):
            raise ValueError("give start and end both with or both without a UTC offset")
        if self.end <= self.start:
            raise ValueError("an override must end after it starts")
        return self


class Schedule(_Strict):
    """Who is on call: the top-most layer covering an instant wins, overrides above all.

    The backup is, under an override, the person the layers would have had; otherwise the backup
    schedule's on-call person, else `backup_person`, else the next member of the winning layer's
    rotation; never the on-call person themself. Wall-clock times that DST skips happen when the
    clocks jump; times it repeats happen at their first occurrence.
    """

    id: str = Field(min_length=1)
    name: str = ""
    time_zone: str = "UTC"
    layers: list[RotationLayer] = Field(min_length=1, description="Bottom layer first.")
    overrides: list[Override] = Field(default_factory=list)
    backup_schedule: str | None = None
    backup_person: str | None = None
    allow_gaps: bool = Field(
        default=False, description="Gaps in coverage are intended (config validate stays quiet)."
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_time_zone(value)

    @model_validator(mode="after")
    def _one_backup(self) -> Schedule:
        if self.backup_schedule is not None and self.backup_person is not None:
            raise ValueError("give backup_schedule or backup_person, not both")
        if self.backup_schedule == self.id:
            raise ValueError("a schedule cannot be its own backup")
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's time zone."""
        return ZoneInfo(self.time_zone)


def windows_cover(windows: Sequence[TimeWindow], wall: datetime) -> bool:
    """Whether a wall-clock reading falls in any of the windows; no windows means always."""
    if not windows:
        return True
    today = WEEKDAYS[wall.weekday()]
    yesterday = WEEKDAYS[(wall.weekday() - 1) % 7]
    now = wall.time()
    for window in windows:
        if window.end > window.start:
            if today in window.days and window.start <= now < window.end:
                return True
        # Past midnight (00:00-00:00 is the whole day): from start on a listed day to end the next.
        elif (today in window.days and now >= window.start) or (
            yesterday in window.days and now < window.end
        ):
            return True
    return False
