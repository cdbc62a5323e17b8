"""A report's range of local days cut into days, weeks (from Monday), months or quarters. Pure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

Grouping = Literal["total", "day", "week", "month", "quarter"]


def periods(first: date, end: date, by: Grouping) -> list[tuple[date, date]]:
    """[from, to) pieces covering [first, end): the whole range, or calendar pieces clipped to
    it (a range from the 15th by month starts with a half month)."""
    if by == "total":
        return [(first, end)]
    pieces = []
    start = first
    while start < end:
        stop = min(_next(start, by), end)
        pieces.append((start, stop))
        start = stop
    return pieces


def quarter_days(quarter: str) -> tuple[date, date]:
    """'2026Q4' as [2026-10-01, 2027-01-01); ValueError for anything else."""
    year, _, number = quarter.upper().partition("Q")
    if not (year.isdigit() and number in {"1", "2", "3", "4"}):
        raise ValueError(f"not a quarter like 2026Q4: {quarter!r}")
    first = date(int(year), 3 * int(number) - 2, 1)
    return first, _next(first, "quarter")


def _next(day: date, by: Grouping) -> date:
    if by == "day":
        return day + timedelta(days=1)
    if by == "week":
        return day + timedelta(days=7 - day.weekday())
    months = 1 if by == "month" else 3 - (day.month - 1) % 3
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)
