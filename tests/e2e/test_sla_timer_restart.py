"""kill -9 of the SLA timer with a clock pending: after a restart the breach fires exactly once."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import RunningSystem

pytestmark = pytest.mark.e2e


def test_a_clock_due_while_the_timer_was_down_breaches_once_after_restart(
    system: RunningSystem,
) -> None:
    timer = system.services["sla-timer"]
    ticket_id = system.post_alert({"title": "RAID degraded on srv-db", "severity": "critical"})
    system.wait_for_ticket(ticket_id, until="SlaClockStarted")
    timer.kill()
    time.sleep(5)  # the 4 s response target passes while nobody is there to fire it
    timer.start()
    timer.wait_ready()
    breach_text = (f"Ticket id: {ticket_id}", "breached its")
    system.smtp.wait_for(*breach_text, within=30)
    time.sleep(3)  # time for any second firing to show up
    recipients = [m["To"] for m in system.smtp.matching(*breach_text)]
    assert recipients
    assert len(recipients) == len(set(recipients))  # the assignee (and manager) once each
    view = system.ticket(ticket_id)
    assert view is not None
    assert [e["event"] for e in view["timeline"]].count("SlaBreached") == 1
