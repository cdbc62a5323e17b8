"""KPIs as JSON and as flat rows for a spreadsheet (one measure per row). Pure."""

from __future__ import annotations

from datetime import date
from typing import Any

from escalator_sla_timer.reporting.kpis import Attainment, Durations, Kpis, Rate

CSV_COLUMNS = (
    "period_from",
    "period_to",
    "kpi",
    "breakdown",
    "count",
    "of",
    "percent",
    "average_seconds",
    "p90_seconds",
)
Row = tuple[Any, ...]


def kpis_json(figures: Kpis) -> dict[str, Any]:
    """The KPIs as JSON values."""
    return {
        "tickets": figures.tickets,
        "attainment": {k: _attainment(a) for k, a in figures.attainment.items()},
        "time_to_respond": _durations(figures.time_to_respond),
        "time_to_resolve": _durations(figures.time_to_resolve),
        "escalations_per_tier": figures.escalations_per_tier,
        "time_to_escalate": _durations(figures.time_to_escalate),
        "vendor_response": {v: _durations(d) for v, d in figures.vendor_response.items()},
        "vendor_resolution": {v: _durations(d) for v, d in figures.vendor_resolution.items()},
        "backlog": [{"day": day.isoformat(), "open": n} for day, n in figures.backlog],
        "first_contact_resolution": _rate(figures.first_contact_resolution),
        "reopened": _rate(figures.reopened),
        "major_outages": figures.major_outages,
        "dissatisfied": figures.dissatisfied,
    }


def kpi_rows(period: tuple[date, date], figures: Kpis) -> list[Row]:
    """The KPIs of one period as rows of CSV_COLUMNS (blank where a figure does not apply)."""
    rows = [_row("tickets", "", figures.tickets)]
    rows += [
        _row("attainment", kind, a.met, of=a.met + a.missed, percent=a.percent)
        for kind, a in figures.attainment.items()
    ]
    rows += [
        _duration_row("time_to_respond", "", figures.time_to_respond),
        _duration_row("time_to_resolve", "", figures.time_to_resolve),
        _duration_row("time_to_escalate", "", figures.time_to_escalate),
    ]
    rows += [_row("escalations", tier, n) for tier, n in figures.escalations_per_tier.items()]
    rows += [_duration_row("vendor_response", v, d) for v, d in figures.vendor_response.items()]
    rows += [_duration_row("vendor_resolution", v, d) for v, d in figures.vendor_resolution.items()]
    rows += [_row("backlog", day.isoformat(), n) for day, n in figures.backlog]
    fcr, reopened = figures.first_contact_resolution, figures.reopened
    rows += [
        _row("first_contact_resolution", "", fcr.count, of=fcr.of, percent=fcr.percent),
        _row("reopened", "", reopened.count, of=reopened.of, percent=reopened.percent),
        _row("major_outages", "", figures.major_outages),
        _row("dissatisfied", "", figures.dissatisfied),
    ]
    start, end = period
    return [(start.isoformat(), end.isoformat(), *row) for row in rows]


def _row(
    kpi: str,
    breakdown: str,
    count: int,
    *,
    of: int | None = None,
    percent: float | None = None,
    average: float | None = None,
    p90: float | None = None,
) -> Row:
    return (kpi, breakdown, count, *("" if v is None else v for v in (of, percent, average, p90)))


def _duration_row(kpi: str, breakdown: str, d: Durations) -> Row:
    return _row(kpi, breakdown, d.count, average=d.average_seconds, p90=d.p90_seconds)


def _attainment(a: Attainment) -> dict[str, Any]:
    return {"met": a.met, "missed": a.missed, "percent": a.percent}


def _durations(d: Durations) -> dict[str, Any]:
    return {"count": d.count, "average_seconds": d.average_seconds, "p90_seconds": d.p90_seconds}


def _rate(r: Rate) -> dict[str, Any]:
    return {"count": r.count, "of": r.of, "percent": r.percent}
