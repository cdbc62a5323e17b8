"""Times in the viewer's zone, written the way a person on call reads them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from escalator_console.domain.sla_ring import spoken_duration


def zone_named(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """The IANA zone of that name (from the browser or the person's profile), else fallback."""
    for candidate in (name, fallback, "UTC"):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def parse_time(value: str | datetime | None) -> datetime | None:
    """An API's ISO 8601 time (aware), or None."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def local(value: str | datetime | None, zone: ZoneInfo, now: datetime) -> str:
    """'14:05' today, 'Tue 14:05' within a week, '2026-12-01 14:05' otherwise (viewer's zone)."""
    moment = parse_time(value)
    if moment is None:
        return ""
    here = moment.astimezone(zone)
    today = now.astimezone(zone).date()
    days = abs((here.date() - today).days)
    if days == 0:
        return here.strftime("%H:%M")
    if days < 7:
        return here.strftime("%a %H:%M")
    return here.strftime("%Y-%m-%d %H:%M")


def full(value: str | datetime | None, zone: ZoneInfo) -> str:
    """'2026-12-07 14:05:09 CET': an exact time for titles and timelines."""
    moment = parse_time(value)
    if moment is None:
        return ""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")


def age(value: str | datetime | None, now: datetime) -> str:
    """How long ago: '4m', '2h 10m', '3d 1h'."""
    moment = parse_time(value)
    if moment is None:
        return ""
    return spoken_duration(max(0.0, (now - moment).total_seconds()))
