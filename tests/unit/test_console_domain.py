"""The console's pure parts: SLA rings, queue order and filters, timelines, shift bars, times,
where a form may send a person, and the explain form's alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from escalator_console.backends import segment
from escalator_console.domain.local_time import age, full, local, zone_named
from escalator_console.domain.queue_view import QueueFilter, queue_filter, queue_rows
from escalator_console.domain.shift_bars import day_marks, shift_bars
from escalator_console.domain.sla_ring import metric_name, ring_for, spoken_duration
from escalator_console.domain.timeline_view import timeline_entries
from escalator_console.pages.explain import alert_of
from escalator_console.pages.forms import Form, local_path
from escalator_console.pages.ring_markup import ring_markup
from escalator_console.server_timing import header_value, timed

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def _clock(metric: str, elapsed: float, target: float, **extra: object) -> dict[str, object]:
    return {
        "metric": metric,
        "state": "running",
        "elapsed_seconds": elapsed,
        "target_seconds": target,
        "remaining_seconds": target - elapsed,
        "due_at": None,
        "breached": False,
        "warned_percent": None,
        **extra,
    }


def test_the_ring_shows_the_running_clock_nearest_its_breach() -> None:
    ring = ring_for([_clock("resolution", 600, 14400), _clock("response", 900, 1800)])
    assert ring is not None
    assert (ring.metric, ring.state, ring.percent) == ("response", "ok", 50)
    assert ring.left == "15m left"
    assert ring.label == "response SLA 50% used, 15m left"


def test_the_ring_turns_amber_at_the_warning_and_red_when_breached() -> None:
    warned = ring_for([_clock("response", 1400, 1800, warned_percent=75)])
    breached = ring_for([_clock("response", 2000, 1800, breached=True)])
    assert warned is not None
    assert warned.state == "warning"
    assert breached is not None
    assert (breached.state, breached.percent, breached.left) == ("breached", 100, "3m over")


def test_a_paused_clock_is_shown_only_when_nothing_runs() -> None:
    paused = _clock("response", 100, 1800, state="paused")
    assert ring_for([paused]).state == "paused"  # type: ignore[union-attr]
    assert ring_for([paused, _clock("resolution", 10, 14400)]).metric == "resolution"  # type: ignore[union-attr]
    assert ring_for([]) is None


def test_a_ring_is_drawn_with_its_label_escaped() -> None:
    ring = ring_for([_clock('ola:<b>"l2"</b>', 900, 1800, warned_percent=50)])
    drawn = str(ring_markup(ring, 56))
    assert drawn.startswith('<span class="ring ring-warning" role="img" aria-label="OLA &lt;b&gt;')
    assert "<b>" not in drawn
    assert '"l2"' not in drawn
    assert 'width="56"' in drawn
    assert 'stroke-dasharray="50 100"' in drawn
    assert '<span class="ring-left">15m left</span>' in drawn
    assert str(ring_markup(None)) == '<span class="ring ring-none">no live clock</span>'


def test_queue_rows_put_what_breaches_first_on_top() -> None:
    tickets = [
        {"id": "calm", "priority": "P1", "opened_at": "2026-12-07T10:00:00Z"},
        {"id": "none", "priority": "P1", "opened_at": "2026-12-07T09:00:00Z"},
        {"id": "breached", "priority": "P4", "opened_at": "2026-12-07T11:00:00Z"},
        {"id": "soon", "priority": "P3", "opened_at": "2026-12-07T12:00:00Z"},
        {"id": "paused", "priority": "P1", "opened_at": "2026-12-07T08:00:00Z"},
    ]
    clocks = {
        "calm": [_clock("response", 10, 3600)],
        "breached": [_clock("response", 4000, 3600, breached=True)],
        "soon": [_clock("response", 3500, 3600)],
        "paused": [_clock("response", 0, 60, state="paused")],
    }
    order = [row.id for row in queue_rows(tickets, clocks)]
    assert order == ["breached", "soon", "calm", "paused", "none"]


def test_queue_filters_become_ticket_queries() -> None:
    wanted = queue_filter(
        {"scope": ["team"], "priority": ["P1", "P9"], "client": ["acme", ""]}, "mine"
    )
    assert wanted == QueueFilter(scope="team", clients=("acme",), priorities=("P1",))
    assert wanted.ticket_query("alice", ["helpdesk"]) == {
        "status": ["new", "in_progress", "on_hold"],
        "client": ["acme"],
        "priority": ["P1"],
        "team": ["helpdesk"],
    }
    mine = queue_filter({}, "mine")
    assert mine.ticket_query("alice", [])["assignee"] == ["alice"]
    assert queue_filter({"scope": ["everything"]}, "all").scope == "all"
    assert mine.as_params() == [("scope", "mine")]


def test_repeat_alerts_fold_into_one_timeline_entry() -> None:
    timeline = [
        {"at": "t1", "event": "TicketOpened", "by": "intake", "summary": "opened"},
        {"at": "t2", "event": "TicketUpdated", "by": "intake", "summary": "repeat 1"},
        {"at": "t3", "event": "TicketUpdated", "by": "intake", "summary": "repeat 2"},
        {"at": "t4", "event": "TicketUpdated", "by": "intake", "summary": "repeat 3"},
        {"at": "t5", "event": "RespondersPaged", "by": "router", "summary": "paged"},
        {"at": "t6", "event": "VendorCaseOpened", "by": "vendor-gateway", "summary": "case"},
        {"at": "t7", "event": "TicketAcknowledged", "by": "intake", "summary": "acked"},
    ]
    entries = timeline_entries(timeline)
    assert [e.summary for e in entries] == ["opened", "repeat 1", "paged", "case", "acked"]
    assert [f["summary"] for f in entries[1].folded] == ["repeat 2", "repeat 3"]
    assert [e.kind for e in entries] == ["alert", "alert", "escalation", "vendor", "action"]


def test_shift_bars_are_placed_within_the_window() -> None:
    start, end = NOW, NOW + timedelta(days=2)
    bars = shift_bars(
        [
            {"person": "alice", "start": "2026-12-06T00:00:00Z", "end": "2026-12-08T15:00:00Z"},
            {"person": None, "start": "2026-12-08T15:00:00Z", "end": "2026-12-10T00:00:00Z"},
        ],
        start,
        end,
    )
    assert [(b.person, b.left, b.width) for b in bars] == [("alice", 0.0, 50.0), (None, 50.0, 50.0)]


def test_day_marks_fall_on_local_midnights_across_a_dst_change() -> None:
    zone = ZoneInfo("Europe/London")
    start = datetime(2026, 3, 28, 0, 0, tzinfo=zone)
    marks = day_marks(start, start + timedelta(days=3), zone)
    assert [m.label for m in marks] == ["Sat 28", "Sun 29", "Mon 30"]


def test_times_are_written_in_the_viewers_zone() -> None:
    zone = zone_named("Europe/Berlin")
    assert local("2026-12-07T14:05:00Z", zone, NOW) == "15:05"
    assert local("2026-12-04T14:05:00Z", zone, NOW) == "Fri 15:05"
    assert local("2026-11-01T14:05:00Z", zone, NOW) == "2026-11-01 15:05"
    assert full("2026-12-07T14:05:09Z", zone) == "2026-12-07 15:05:09 CET"
    assert age("2026-12-07T12:50:00Z", NOW) == "2h 10m"
    assert zone_named("Not/AZone", "Asia/Tokyo").key == "Asia/Tokyo"
    assert zone_named(None).key == "UTC"


@pytest.mark.parametrize(
    ("seconds", "spoken"), [(45, "45s"), (720, "12m"), (11100, "3h 05m"), (187200, "2d 4h")]
)
def test_durations_read_at_a_glance(seconds: float, spoken: str) -> None:
    assert spoken_duration(seconds) == spoken


def test_metric_names() -> None:
    assert metric_name("ola:l2") == "OLA l2"
    assert metric_name("vendor:m365") == "vendor:m365"
    assert metric_name("response") == "response"


@pytest.mark.parametrize(
    ("candidate", "kept"),
    [
        ("/queue?scope=all", "/queue?scope=all"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        (None, "/"),
        ("/tickets/x\r\nSet-Cookie: a=b", "/"),
    ],
)
def test_a_form_sends_people_only_to_our_own_pages(candidate: str | None, kept: str) -> None:
    assert local_path(candidate) == kept


def test_the_explain_form_reads_labels_and_error_codes() -> None:
    form = Form(
        {
            "client": ["acme"],
            "title": ["Mail delayed"],
            "severity": ["critical"],
            "labels": ["service=exchange\n\nsite = hq\n"],
            "error_codes": ["0x800, AADSTS50076"],
        }
    )
    alert, problem = alert_of(form)
    assert problem is None
    assert alert["labels"] == {"service": "exchange", "site": "hq"}
    assert alert["error_codes"] == ["0x800", "AADSTS50076"]
    _, bad = alert_of(Form({"client": ["acme"], "title": ["x"], "labels": ["oops"]}))
    assert bad == "labels line 1: write it as key=value"
    _, missing = alert_of(Form({"title": ["x"]}))
    assert missing == "choose a client"


@pytest.mark.parametrize(
    ("value", "encoded"),
    [("TKT-1001", "TKT-1001"), ("../me", "..%2Fme"), ("..", "%2E%2E"), ("a?b#c", "a%3Fb%23c")],
)
def test_what_the_browser_sends_stays_one_backend_path_segment(value: str, encoded: str) -> None:
    assert segment(value) == encoded


def test_server_timing_names_each_part_and_keeps_descriptions_quotable() -> None:
    with timed("intake", "GET /v1/me"):  # outside a request: nothing to record, no error
        pass
    value = header_value(12.345, [("intake", 'GET /v1/tickets"\n', 4.25), ("render", "q", 1)])
    assert value == ('app;dur=12.3, intake;desc="GET /v1/tickets";dur=4.2, render;desc="q";dur=1.0')
