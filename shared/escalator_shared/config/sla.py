"""SLA, OLA and vendor clocks as an operator configures them: calendars and policies.

A policy is chosen per ticket by ordered filters, first match wins; its targets are business
time in the policy's calendar (`24x7`, the client's own hours, or a named calendar). The SLA
timer's `domain` does the arithmetic; these models only describe and validate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Annotated, Any, Final, Literal

import holidays
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from escalator_shared.config.durations import Duration, parse_duration
from escalator_shared.config.oncall import TimeWindow, check_time_zone
from escalator_shared.events.values import Priority, TicketType

AROUND_THE_CLOCK: Final = "24x7"
CLIENT_CALENDAR: Final = "client"
SAME_BUSINESS_DAY: Final = "same_business_day"

PauseReason = Literal["awaiting_customer", "awaiting_vendor", "awaiting_change", "on_hold"]

TargetValue = timedelta | Literal["same_business_day"]


def parse_target(value: Any) -> TargetValue:
    """A duration, or 'same_business_day' (due when the business day it starts in ends)."""
    if value == SAME_BUSINESS_DAY:
        return "same_business_day"
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ValueError(f"{exc}, or 'same_business_day'") from None


def _target_json(value: TargetValue) -> float | str:
    return value if isinstance(value, str) else value.total_seconds()


Target = Annotated[
    TargetValue, BeforeValidator(parse_target), PlainSerializer(_target_json, when_used="json")
]


def ticket_type_for(requester: str | None) -> TicketType:
    """A ticket someone asked for (a customer's email) is a request; an alert, an incident."""
    return "request" if requester is not None else "incident"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HolidaySource(_Strict):
    """Public holidays of a country (and region) from the `holidays` package, e.g. GB / ENG."""

    country: str = Field(min_length=2, max_length=3, description="ISO 3166-1 code, e.g. GB, US.")
    subdivision: str | None = Field(default=None, description="Region code, e.g. ENG, CA, NSW.")

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="after")
    def _supported(self) -> HolidaySource:
        supported = holidays.list_supported_countries()
        if self.country.upper() not in supported:
            raise ValueError(f"no public holidays known for country {self.country!r}")
        regions = supported[self.country.upper()]
        if self.subdivision is not None and self.subdivision not in regions:
            raise ValueError(
                f"unknown subdivision {self.subdivision!r} of {self.country.upper()}; "
                f"expected one of {', '.join(regions)}"
            )
        return self


class Calendar(_Strict):
    """When the clock runs: weekly hours in a time zone, less holidays and closed days."""

    id: str = Field(min_length=1)
    time_zone: str = "UTC"
    hours: list[TimeWindow] = Field(
        default_factory=list,
        description="Weekly open hours (several a day allowed); empty: around the clock.",
    )
    holidays: HolidaySource | None = None
    closed_days: list[date] = Field(
        default_factory=list, description="Extra days closed, e.g. the office Christmas shutdown."
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_time_zone(value)


class SlaMatch(_Strict):
    """Which tickets a policy is for; an empty list matches anything."""

    clients: list[str] = Field(default_factory=list)
    priorities: list[Priority] = Field(default_factory=list)
    ticket_types: list[TicketType] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="e.g. email, alertmanager.")


class BreachReminders(_Strict):
    """After a breach, remind every `every` while the clock still runs, at most `limit` times."""

    every: Duration
    limit: int = Field(default=3, ge=1)


DEFAULT_PAUSES: Final[tuple[PauseReason, ...]] = ("awaiting_customer", "awaiting_vendor")
_MINUTE = timedelta(minutes=1)
_HOUR = timedelta(hours=1)

# The domain notes' sane defaults: urgent 15 min / 1 h, normal 1 h / 24 h, low same day / 72 h.
DEFAULT_RESPONSE: Final[dict[Priority, TargetValue]] = {
    Priority.P1: 15 * _MINUTE,
    Priority.P2: 15 * _MINUTE,
    Priority.P3: _HOUR,
    Priority.P4: "same_business_day",
    Priority.P5: "same_business_day",
}
DEFAULT_RESOLUTION: Final[dict[Priority, TargetValue]] = {
    Priority.P1: _HOUR,
    Priority.P2: _HOUR,
    Priority.P3: 24 * _HOUR,
    Priority.P4: 72 * _HOUR,
    Priority.P5: 72 * _HOUR,
}


class SlaPolicy(_Strict):
    """Targets per metric and priority, the calendar they run in, and how clocks behave."""

    id: str = Field(min_length=1)
    match: SlaMatch = Field(default_factory=SlaMatch)
    calendar: str = Field(
        default=AROUND_THE_CLOCK,
        description="'24x7', 'client' (the client's hours, zone and holidays) or a calendar id.",
    )
    response: dict[Priority, Target] = Field(
        default_factory=lambda: dict(DEFAULT_RESPONSE), description="First response."
    )
    update: dict[Priority, Target] = Field(
        default_factory=dict, description="Periodic update: a customer-visible note every N."
    )
    resolution: dict[Priority, Target] = Field(default_factory=lambda: dict(DEFAULT_RESOLUTION))
    ola: dict[str, Duration] = Field(
        default_factory=dict,
        description="Tier id to the time it may hold a ticket before resolving or handing on.",
    )
    warn_at: list[int] = Field(
        default_factory=lambda: [50, 75], description="Warnings at these percentages of a target."
    )
    remind_after_breach: BreachReminders | None = None
    pause_when: list[PauseReason] = Field(
        default_factory=lambda: list(DEFAULT_PAUSES),
        description="Hold reasons that pause SLA and OLA clocks ('on_hold': any hold).",
    )
    start: Literal["opened", "reported"] = Field(
        default="opened", description="'reported': from when the client says it began, if earlier."
    )
    on_reopen: Literal["reset", "resume"] = Field(
        default="reset", description="Resolution clock on reopen: start afresh, or keep its time."
    )
    on_priority_change: Literal["keep_elapsed", "restart"] = "keep_elapsed"

    @field_validator("warn_at")
    @classmethod
    def _percentages(cls, value: list[int]) -> list[int]:
        if any(not 0 < p < 100 for p in value):
            raise ValueError("warnings are percentages between 1 and 99")
        return sorted(set(value))

    def response_target(self, priority: Priority) -> TargetValue:
        """The first-response target for a priority (the least urgent defined as a fallback)."""
        return target_for(self.response, priority)


def target_for(targets: Mapping[Priority, TargetValue], priority: Priority) -> TargetValue:
    """The target for `priority`, or that of the least urgent priority with one."""
    if priority in targets:
        return targets[priority]
    return targets[max(targets)]


class VendorCommitment(_Strict):
    """What a vendor commits to (the underpinning contract), per priority."""

    acknowledge: dict[Priority, Duration] = Field(default_factory=dict)
    resolve: dict[Priority, Duration] = Field(default_factory=dict)
    calendar: str = Field(default=AROUND_THE_CLOCK, description="'24x7' or a calendar id.")
