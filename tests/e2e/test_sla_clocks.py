"""The SLA timer's clocks through the running services: what `GET .../clocks` shows, holds that
pause and resume them, a manager's due-time override."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.sla_clock_api import (
    TECHNICIAN,
    at,
    find_clock,
    put_due,
    seconds_between,
    staff_post,
    summaries,
    ticket_clocks,
    wait_for_clock,
    wait_for_summary,
)

pytestmark = pytest.mark.e2e

# Seconds-level response targets: P4 (severity warning) leaves time to put the ticket on hold
# before it falls due; P5 (info) stays long so that only an override can make it breach.
RESPONSE = {"P1": "4s", "P2": "4s", "P3": "4s", "P4": "5s", "P5": "8h"}
RESOLUTION = {"P1": "1h", "P2": "1h", "P3": "1h", "P4": "2h", "P5": "3h"}


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """Both example policies with short response targets, around the clock."""
    return {
        "sla_policies": [
            {"id": "standard", "response": RESPONSE, "resolution": RESOLUTION},
            {"id": "premium", "response": RESPONSE, "resolution": RESOLUTION},
        ]
    }


def _assert_consistent(clock: dict[str, Any]) -> None:
    """elapsed + remaining = target, whatever the state."""
    total = clock["elapsed_seconds"] + clock["remaining_seconds"]
    assert abs(total - clock["target_seconds"]) < 1, clock


def test_a_new_ticket_shows_running_clocks_whose_figures_add_up(system: RunningSystem) -> None:
    ticket = system.post_alert({"title": "Label printer offline", "severity": "info"})
    response = wait_for_clock(system, ticket, "response")
    clocks = ticket_clocks(system, ticket)
    assert sorted(c["metric"] for c in clocks) == ["resolution", "response"]
    targets = {c["metric"]: c["target_seconds"] for c in clocks}
    assert targets == {"response": 8 * 3600, "resolution": 3 * 3600}
    for clock in clocks:
        assert (clock["state"], clock["cycle"], clock["priority"]) == ("running", 0, "P5")
        assert (clock["policy"], clock["calendar"]) == ("standard", "24x7")
        assert 0 <= clock["elapsed_seconds"] < 10
        _assert_consistent(clock)
        # Around the clock, the due time is the start plus the target.
        assert seconds_between(clock["started_at"], clock["due_at"]) == clock["target_seconds"]
        assert clock["breached"] is False
        assert clock["paused_intervals"] == []
        assert [entry["kind"] for entry in clock["log"]] == ["started"]

    time.sleep(1.2)
    later = find_clock(system, ticket, "response")
    assert later is not None
    grew = later["elapsed_seconds"] - response["elapsed_seconds"]
    assert abs(grew - seconds_between(response["as_of"], later["as_of"])) < 0.1
    assert grew > 1
    _assert_consistent(later)

    staff_post(system, f"/v1/tickets/{ticket}/acknowledge")
    met = wait_for_clock(system, ticket, "response", state="fulfilled")
    assert [entry["kind"] for entry in met["log"]] == ["started", "fulfilled"]
    assert met["stopped_at"] is not None
    ran_for = seconds_between(met["started_at"], met["stopped_at"])
    assert met["elapsed_seconds"] == pytest.approx(ran_for)
    time.sleep(0.5)
    again = find_clock(system, ticket, "response")
    assert again is not None
    assert again["elapsed_seconds"] == met["elapsed_seconds"]  # a met clock stops counting
    _assert_consistent(again)


def test_a_hold_pauses_the_clocks_past_their_due_time_and_resuming_moves_it(
    system: RunningSystem,
) -> None:
    ticket = system.post_alert({"title": "Scanner driver missing", "severity": "warning"})
    started = wait_for_clock(system, ticket, "response")
    original_due = at(started["due_at"])
    staff_post(
        system, f"/v1/tickets/{ticket}/status", status="on_hold", hold_reason="awaiting_customer"
    )

    paused = wait_for_clock(system, ticket, "response", state="paused")
    assert paused["due_at"] is None
    [interval] = paused["paused_intervals"]
    assert interval["until"] is None
    pause = {"kind": "paused", "at": interval["from"], "reason": "awaiting_customer"}
    assert paused["log"][-1] == pause
    assert paused["remaining_seconds"] > 0
    _assert_consistent(paused)
    wait_for_clock(system, ticket, "resolution", state="paused")
    wait_for_summary(system, ticket, "SlaClockPaused", "response clock paused (awaiting_customer)")

    # Well past the original due time: still paused, nothing used, nothing breached.
    time.sleep(max(0.0, (original_due - datetime.now(UTC)).total_seconds()) + 1.0)
    still = find_clock(system, ticket, "response")
    assert still is not None
    assert (still["state"], still["breached"]) == ("paused", False)
    assert still["elapsed_seconds"] == paused["elapsed_seconds"]
    assert summaries(system, ticket, "SlaBreached") == []

    staff_post(system, f"/v1/tickets/{ticket}/status", status="in_progress")
    resumed = wait_for_clock(system, ticket, "response")
    [interval] = resumed["paused_intervals"]
    assert interval["until"] is not None
    paused_for = seconds_between(interval["from"], interval["until"])
    new_due = at(resumed["due_at"])
    # Around the clock the due time moves by exactly the paused time.
    assert (new_due - original_due).total_seconds() == pytest.approx(paused_for, abs=0.05)
    _assert_consistent(resumed)
    wait_for_clock(system, ticket, "resolution")
    wait_for_summary(system, ticket, "SlaClockResumed", "response clock resumed")

    # The resumed clock breaches at its new due time, not the original one.
    wait_for_summary(system, ticket, "SlaBreached", "response SLA breached", within=15)
    breached = find_clock(system, ticket, "response")
    assert breached is not None
    assert breached["breached"] is True
    assert at(breached["breached_at"]) >= new_due


def _due_request(seconds_from_now: float) -> tuple[datetime, dict[str, str]]:
    due_at = (datetime.now(UTC) + timedelta(seconds=seconds_from_now)).replace(microsecond=0)
    body = {"due_at": due_at.isoformat().replace("+00:00", "Z"), "reason": "VIP asked for today"}
    return due_at, body


def test_a_due_time_override_is_refused_to_technicians_unknown_clocks_and_bad_bodies(
    system: RunningSystem,
) -> None:
    ticket = system.post_alert({"title": "Intranet search broken", "severity": "info"})
    clock = wait_for_clock(system, ticket, "response")
    _, wanted = _due_request(600)

    refused = put_due(system, ticket, clock["id"], wanted, headers=TECHNICIAN)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "forbidden"
    unknown = put_due(system, ticket, "no-such-clock", wanted)
    assert unknown.status_code == 404, unknown.text
    assert unknown.json()["error"] == "no_live_clock"
    bad = put_due(system, ticket, clock["id"], {"due_at": "soon", "reason": "VIP asked"})
    assert bad.status_code == 422, bad.text
    assert [p["field"] for p in bad.json()["problems"]] == ["body.due_at"]
    short = put_due(system, ticket, clock["id"], {**wanted, "reason": "x"})
    assert short.status_code == 422, short.text
    assert [p["field"] for p in short.json()["problems"]] == ["body.reason"]
    naive = put_due(system, ticket, clock["id"], {**wanted, "due_at": "2030-07-01T17:00:00"})
    assert naive.status_code == 422, naive.text
    assert naive.json()["error"] == "naive_due_at"

    untouched = find_clock(system, ticket, "response")
    assert untouched is not None
    assert untouched["due_at"] == clock["due_at"]
    assert untouched["target_seconds"] == clock["target_seconds"]
    assert [entry["kind"] for entry in untouched["log"]] == ["started"]


def test_a_manager_moves_a_due_time_with_a_reason_and_the_timer_follows(
    system: RunningSystem,
) -> None:
    ticket = system.post_alert({"title": "Shared calendar out of sync", "severity": "info"})
    clock = wait_for_clock(system, ticket, "response")
    due_at, wanted = _due_request(3)

    moved = put_due(system, ticket, clock["id"], wanted)
    assert moved.status_code == 200, moved.text
    assert at(moved.json()["due_at"]) == due_at
    after = find_clock(system, ticket, "response")
    assert after is not None
    assert at(after["due_at"]) == due_at
    # The target became the business time used plus what is left up to the new due time.
    left = (due_at - at(after["as_of"])).total_seconds()
    assert after["remaining_seconds"] == pytest.approx(left, abs=0.1)
    assert after["target_seconds"] < clock["target_seconds"]
    _assert_consistent(after)
    assert after["log"][-1]["kind"] == "recalculated"
    assert after["log"][-1]["reason"] == "due time set by carol: VIP asked for today"
    wait_for_summary(system, ticket, "SlaClockRetargeted", "due time set by carol")

    # An eight-hour clock breaches within seconds: the timer took the new due time.
    wait_for_summary(system, ticket, "SlaBreached", "response SLA breached", within=15)
    breached = find_clock(system, ticket, "response")
    assert breached is not None
    assert at(breached["breached_at"]) >= due_at
