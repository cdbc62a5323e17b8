"""Report KPIs against figures worked out by hand, on event histories of one October in London
(British Summer Time ends on 25 October 2026, so that local day has 25 hours)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from escalator_shared.events import Envelope, Event
from escalator_sla_timer.reporting.kpi_rows import CSV_COLUMNS, kpi_rows, kpis_json
from escalator_sla_timer.reporting.kpis import (
    Attainment,
    Durations,
    Rate,
    ReportSlice,
    day_ends,
    durations,
    kpis,
)
from escalator_sla_timer.reporting.periods import periods, quarter_days
from escalator_sla_timer.reporting.ticket_record import TicketRecord
from tests.unit.report_history import History

LONDON = ZoneInfo("Europe/London")
OCTOBER = ReportSlice(
    datetime(2026, 10, 1, tzinfo=LONDON), datetime(2026, 11, 1, tzinfo=LONDON), LONDON
)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def quick_fix() -> History:
    """Acme P2, fixed at L1 in two hours: response and resolution met."""
    h = History("T1", "acme").opened(utc(10, 5, 9), "P2").routed(utc(10, 5, 9), "L1", "P2")
    h.clock(utc(10, 5, 9), "c1-resp", "response", 3600, stopped=(utc(10, 5, 9, 20), 1200))
    h.clock(utc(10, 5, 9), "c1-res", "resolution", 28800, stopped=(utc(10, 5, 11), 7200))
    return h.acknowledged(utc(10, 5, 9, 20)).resolved(utc(10, 5, 11))


def outage() -> History:
    """Acme P1: escalated at L1, moved to L2, a vendor case, paused resolution clock met though
    25 wall-clock hours passed, response missed, reopened once, a major outage."""
    h = History("T2", "acme").opened(utc(10, 10, 12), "P1")
    h.routed(utc(10, 10, 12), "L1", "P1", "helpdesk")
    h.step(utc(10, 10, 12), 0).step(utc(10, 10, 12, 15), 1)
    h.routed(utc(10, 10, 12, 16), "L2", "P1", "infrastructure")
    h.step(utc(10, 10, 12, 45), 2).paged(utc(10, 10, 12, 50), "major_outage")
    h.clock(
        utc(10, 10, 12),
        "c2-resp",
        "response",
        900,
        breached=utc(10, 10, 12, 15),
        stopped=(utc(10, 10, 12, 30), 1800),
    )
    h.clock(utc(10, 10, 12, 16), "c2-ola", "ola:L2", 1800, stopped=(utc(10, 10, 12, 30), 840))
    h.clock(utc(10, 10, 12), "c2-res", "resolution", 14400, stopped=(utc(10, 11, 13), 10800))
    h.vendor_case(utc(10, 10, 13), "m365", utc(10, 10, 14), utc(10, 11, 13))
    h.clock(
        utc(10, 10, 13), "c2-vack", "vendor_acknowledgement", 3600, stopped=(utc(10, 10, 14), 3600)
    )
    h.acknowledged(utc(10, 10, 12, 30)).resolved(utc(10, 11, 13))
    return h.reopened(utc(10, 12, 9)).resolved(utc(10, 12, 10))


def drill() -> History:
    """Globex drill: never counts, though it breaches and stays open."""
    h = History("T3", "globex").opened(utc(10, 6, 8), "P1", drill=True)
    h.routed(utc(10, 6, 8), "L1", "P1").step(utc(10, 6, 8), 0).step(utc(10, 6, 8, 5), 1)
    return h.clock(utc(10, 6, 8), "c3", "response", 300, breached=utc(10, 6, 8, 5))


def late_night() -> History:
    """Acme P3 opened at 00:30 local on the 25th (23:30 UTC the day before): answered by a
    customer-visible note ten and a half hours later, response missed; the customer unhappy;
    still open at the month's end."""
    h = History("T4", "acme").opened(utc(10, 24, 23, 30), "P3")
    h.routed(utc(10, 24, 23, 30), "L1", "P3")
    h.note(utc(10, 25, 1), by="customer").note(utc(10, 25, 2), visible=False)
    h.clock(
        utc(10, 24, 23, 30),
        "c4",
        "response",
        14400,
        breached=utc(10, 25, 3, 30),
        stopped=(utc(10, 25, 10), 37800),
    )
    return h.note(utc(10, 25, 10)).paged(utc(10, 25, 11), "customer_dissatisfied")


def carried_over() -> History:
    """Acme P2 opened in September, escalated on 1 October, resolved on the 2nd."""
    h = History("T5", "acme").opened(utc(9, 28, 10), "P2").routed(utc(9, 28, 10), "L1", "P2")
    h.step(utc(9, 28, 10), 0).step(utc(10, 1, 8), 1)
    return h.resolved(utc(10, 2, 12))


def october() -> list[TicketRecord]:
    return [h().record() for h in (quick_fix, outage, drill, late_night, carried_over)]


def test_a_month_of_tickets_comes_to_the_figures_worked_out_by_hand() -> None:
    figures = kpis(october(), OCTOBER)
    assert figures.tickets == 3  # T1, T2, T4: T3 is a drill, T5 opened in September
    assert figures.attainment == {
        "ola": Attainment(1, 0),
        "resolution": Attainment(2, 0),  # T2's paused clock ran 3 of its 4 business hours
        "response": Attainment(1, 2),
        "vendor_acknowledgement": Attainment(1, 0),  # exactly on the target is met
    }
    assert figures.attainment["response"].percent == 33.3
    assert figures.time_to_respond == Durations(3, 13600.0, 37800)  # 1200, 1800, 37800
    assert figures.time_to_resolve == Durations(2, 48600.0, 90000)  # 7200, 90000 (first)
    # T5's step on the 1st under L1; T2's first step under L1, its second after moving to L2.
    assert figures.escalations_per_tier == {"L1": 2, "L2": 1}
    # 900 and 2700 s after T2's chain started; T5's 2 days 22 hours after its own.
    assert figures.time_to_escalate == Durations(3, 85200.0, 252000)
    assert figures.vendor_response == {"m365": Durations(1, 3600.0, 3600)}
    assert figures.vendor_resolution == {"m365": Durations(1, 86400.0, 86400)}
    assert figures.first_contact_resolution == Rate(1, 2)  # T1 of T1, T2 (T4 still open)
    assert figures.reopened == Rate(1, 2)
    assert figures.major_outages == 1
    assert figures.dissatisfied == 1


def test_the_backlog_is_counted_at_each_local_midnight_across_the_change_of_clocks() -> None:
    backlog = dict(kpis(october(), OCTOBER).backlog)
    assert len(backlog) == 31
    expected = {date(2026, 10, 1): 1, date(2026, 10, 10): 1}  # T5; T2 before its resolve
    # T4 opened 30 minutes after the 24th ended locally (23:00 UTC), so it counts from the 25th.
    expected |= {date(2026, 10, d): 1 for d in range(25, 32)}
    assert {d: n for d, n in backlog.items() if n} == expected


def test_local_days_end_at_local_midnight_and_the_last_sunday_of_october_lasts_25_hours() -> None:
    ends = dict(day_ends(OCTOBER.start, OCTOBER.end, LONDON))
    assert ends[date(2026, 10, 24)] == utc(10, 24, 23)  # BST: midnight is 23:00 UTC
    assert ends[date(2026, 10, 25)] == utc(10, 26, 0)  # GMT again
    assert ends[date(2026, 10, 25)] - ends[date(2026, 10, 24)] == timedelta(hours=25)
    spring = ReportSlice(
        datetime(2026, 3, 29, tzinfo=LONDON), datetime(2026, 3, 30, tzinfo=LONDON), LONDON
    )
    ((day, end),) = day_ends(spring.start, spring.end, LONDON)
    assert (day, end - spring.start) == (date(2026, 3, 29), timedelta(hours=23))


def test_slices_by_client_priority_tier_and_team() -> None:
    records = october()
    globex = kpis(records, _slice(clients=frozenset({"globex"})))
    assert (globex.tickets, globex.escalations_per_tier, globex.backlog[-1][1]) == (0, {}, 0)
    l2 = kpis(records, _slice(tiers=frozenset({"L2"})))
    assert (l2.tickets, l2.escalations_per_tier) == (1, {"L1": 1, "L2": 1})
    infrastructure = kpis(records, _slice(teams=frozenset({"infrastructure"})))
    assert infrastructure.tickets == 1
    assert infrastructure.major_outages == 1
    p3 = kpis(records, _slice(priorities=frozenset({"P3"})))
    assert (p3.tickets, p3.attainment) == (1, {"response": Attainment(0, 1)})


def test_an_empty_slice_has_no_percentages_rather_than_zero() -> None:
    figures = kpis([], OCTOBER)
    assert figures.tickets == 0
    assert figures.first_contact_resolution.percent is None
    assert figures.time_to_escalate == Durations(0, None, None)
    assert kpis_json(figures)["reopened"] == {"count": 0, "of": 0, "percent": None}


@pytest.mark.parametrize("seed", range(20))
def test_records_come_out_the_same_whatever_the_order_across_topics_and_redeliveries(
    seed: int,
) -> None:
    """Each topic keeps its own order; topics interleave freely; any event may come twice."""
    rng = random.Random(seed)
    for history in (quick_fix(), outage(), late_night(), carried_over()):
        queues: dict[str, list[tuple[str, Envelope, Event]]] = {}
        for item in history.events:
            queues.setdefault(item[0], []).append(item)
        mixed = []
        while any(queues.values()):
            topic = rng.choice([t for t, q in queues.items() if q])
            item = queues[topic].pop(0)
            mixed.append(item)
            if rng.random() < 0.2:
                mixed.append(item)
        assert history.record(mixed) == history.record()


def test_a_record_survives_its_json_form() -> None:
    for record in october():
        assert TicketRecord.from_json(record.as_json()) == record


def test_a_ticket_closed_without_a_resolve_leaves_the_backlog() -> None:
    h = History("T6", "acme").opened(utc(10, 3, 9), "P4").routed(utc(10, 3, 9), "L1", "P4")
    closed = h.status(utc(10, 4, 9), "cancelled").record()
    assert not closed.open_at(utc(10, 5, 0))
    assert closed.resolved_at == utc(10, 4, 9)


def test_nearest_rank_percentile() -> None:
    assert durations([5.0]) == Durations(1, 5.0, 5.0)
    assert durations([float(n) for n in range(1, 11)]).p90_seconds == 9.0
    assert durations([float(n) for n in range(1, 12)]).p90_seconds == 10.0


def test_csv_rows_name_each_measure_with_blanks_where_a_figure_does_not_apply() -> None:
    rows = kpi_rows((date(2026, 10, 1), date(2026, 11, 1)), kpis(october(), OCTOBER))
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)
    by_name = {(r[2], r[3]): r for r in rows}
    assert by_name[("attainment", "response")] == (
        "2026-10-01",
        "2026-11-01",
        "attainment",
        "response",
        1,
        3,
        33.3,
        "",
        "",
    )
    assert by_name[("vendor_response", "m365")][4:] == (1, "", "", 3600.0, 3600)
    assert by_name[("backlog", "2026-10-25")][4] == 1


def test_periods_cut_a_range_into_calendar_pieces() -> None:
    first, end = date(2026, 10, 15), date(2026, 12, 10)
    assert periods(first, end, "month") == [
        (date(2026, 10, 15), date(2026, 11, 1)),
        (date(2026, 11, 1), date(2026, 12, 1)),
        (date(2026, 12, 1), date(2026, 12, 10)),
    ]
    assert periods(date(2026, 10, 14), date(2026, 10, 27), "week") == [  # from a Wednesday
        (date(2026, 10, 14), date(2026, 10, 19)),
        (date(2026, 10, 19), date(2026, 10, 26)),
        (date(2026, 10, 26), date(2026, 10, 27)),
    ]
    assert periods(date(2026, 11, 20), date(2027, 2, 1), "quarter") == [
        (date(2026, 11, 20), date(2027, 1, 1)),
        (date(2027, 1, 1), date(2027, 2, 1)),
    ]
    assert periods(first, end, "total") == [(first, end)]
    assert quarter_days("2026q4") == (date(2026, 10, 1), date(2027, 1, 1))
    with pytest.raises(ValueError, match="2026Q4"):
        quarter_days("2026Q5")


def _slice(**narrowing: frozenset[str]) -> ReportSlice:
    return ReportSlice(OCTOBER.start, OCTOBER.end, LONDON, **narrowing)
