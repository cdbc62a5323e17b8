"""Dell's API having a bad day: throttled and unavailable (retried, still one case), refusing the
request (failed, not retried), and the gateway killed while Dell is still answering (the case is
looked up after the restart, not sent twice)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.service_metrics import metric_sum
from tests.e2e.sla_clock_api import summaries, wait_for_summary
from tests.e2e.vendor_case_api import (
    alert_title,
    dell_alert,
    dell_config,
    gateway_env,
    running_vendor_api,
    wait_for_case,
)
from tests.harness.smtp_sink import text_of
from tests.harness.vendor_api import Answer, VendorApiStub
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

LEASE_SECONDS = 2.0
ATTEMPT_FAILURES = "escalator_vendor_case_attempt_failures_total"
FAILED = "escalator_vendor_cases_failed_total"


@pytest.fixture(scope="module")
def vendor_api() -> Iterator[VendorApiStub]:
    """Dell's case API."""
    with running_vendor_api() as stub:
        yield stub


@pytest.fixture(scope="module")
def config_overrides(vendor_api: VendorApiStub) -> dict[str, Any]:
    """Dell with its API at the stub, ACME covered by contract."""
    return dell_config(vendor_api.url)


@pytest.fixture(scope="module")
def service_env_overrides() -> dict[str, str]:
    """Dell's secrets; a claim on a case lapses 2 s after a gateway stops answering for it."""
    return gateway_env(lease_seconds=LEASE_SECONDS)


def test_throttled_and_unavailable_answers_are_retried_into_one_case(
    system: RunningSystem, vendor_api: VendorApiStub
) -> None:
    gateway_process = system.services["vendor-gateway"]
    throttled = metric_sum(gateway_process, ATTEMPT_FAILURES, vendor="dell", reason="http_429")
    unavailable = metric_sum(gateway_process, ATTEMPT_FAILURES, vendor="dell", reason="http_5xx")
    ticket_id, title = _alert_planned(
        system,
        vendor_api,
        Answer(429, {"Retry-After": "1"}, {"error": {"message": "Rate limit exceeded"}}),
        Answer(503, body={"error": {"message": "Instance is in maintenance"}}),
    )

    case = wait_for_case(system, ticket_id, "open")
    assert case["attempts"] == 3
    posts = vendor_api.received("POST", case["case_key"])
    assert len(posts) == 3
    assert {p.headers["idempotency-key"] for p in posts} == {case["case_key"]}
    assert posts[1].at - posts[0].at >= 1.0  # Retry-After honoured
    [created] = vendor_api.cases(case["case_key"])
    assert title in created["short_description"]
    assert case["case_reference"] == created["number"]
    opened = wait_for_summary(system, ticket_id, "VendorCaseOpened", created["number"], within=30)
    assert opened == f"Vendor case {created['number']} opened with dell by api"
    assert len(summaries(system, ticket_id, "VendorCaseOpened")) == 1
    assert "VendorCaseFailed" not in [e["event"] for e in _timeline(system, ticket_id)]
    assert metric_sum(gateway_process, ATTEMPT_FAILURES, vendor="dell", reason="http_429") == (
        throttled + 1
    )
    assert metric_sum(gateway_process, ATTEMPT_FAILURES, vendor="dell", reason="http_5xx") == (
        unavailable + 1
    )


def test_a_refused_request_fails_the_case_without_retrying(
    system: RunningSystem, vendor_api: VendorApiStub
) -> None:
    gateway_process = system.services["vendor-gateway"]
    failed_before = metric_sum(gateway_process, FAILED, vendor="dell", reason="http_4xx")
    refusal = {"error": {"message": "Invalid value for field urgency"}, "status": "failure"}
    ticket_id, title = _alert_planned(system, vendor_api, Answer(400, body=refusal))

    failed = wait_for_summary(system, ticket_id, "VendorCaseFailed", "dell", within=30)
    assert failed.startswith("Opening the dell case by api failed after 1 attempts: http_4xx")
    assert "Invalid value for field urgency" in failed
    case = wait_for_case(system, ticket_id, "failed")
    assert case["attempts"] == 1
    assert "HTTP 400" in case["last_error"]
    assert len(vendor_api.received("POST", case["case_key"])) == 1
    assert vendor_api.cases(case["case_key"]) == []
    assert summaries(system, ticket_id, "VendorCaseOpened") == []
    eventually(
        lambda: (
            metric_sum(gateway_process, FAILED, vendor="dell", reason="http_4xx")
            == failed_before + 1
        ),
        10,
        "the failed case was not counted",
    )
    # The assignee is told by email, with the error and what to do.
    notices = eventually(
        lambda: [
            m
            for m in system.smtp.matching(f'"{title}"')
            if "case: opening failed" in str(m["Subject"])
        ],
        20,
        "the assignee was not told of the failed case",
    )
    body = text_of(notices[0])
    assert "Invalid value for field urgency" in body
    assert f"/v1/vendor-cases/{ticket_id}/dell/opened" in body


def test_a_gateway_killed_while_dell_answers_looks_the_case_up_after_restart(
    system: RunningSystem, vendor_api: VendorApiStub
) -> None:
    gateway_process = system.services["vendor-gateway"]
    # Dell makes the case at once but answers 4 s later: the answer never reaches the gateway.
    ticket_id, title = _alert_planned(system, vendor_api, delay=4.0)
    [post] = eventually(
        lambda: [p for p in vendor_api.received("POST") if title in p.body["short_description"]],
        30,
        "Dell never got the case",
    )
    gateway_process.kill()
    key = post.body["correlation_id"]
    [created] = vendor_api.cases(key)

    gateway_process.start()
    gateway_process.wait_ready()
    case = wait_for_case(system, ticket_id, "open")
    assert case["case_reference"] == created["number"]
    assert case["case_key"] == key
    assert case["attempts"] == 2
    lookups = vendor_api.received("GET", key)
    assert lookups, "the restarted gateway sent again without looking the case up"
    assert lookups[0].query["sysparm_query"] == f"correlation_id={key}"
    assert len(vendor_api.received("POST", key)) == 1
    assert len(vendor_api.cases(key)) == 1
    opened = wait_for_summary(system, ticket_id, "VendorCaseOpened", created["number"], within=30)
    assert opened == f"Vendor case {created['number']} opened with dell by api"
    assert len(summaries(system, ticket_id, "VendorCaseOpened")) == 1


def _alert_planned(
    system: RunningSystem, vendor_api: VendorApiStub, *answers: Answer, delay: float = 0.0
) -> tuple[str, str]:
    """A Dell alert whose case meets `answers` (and `delay`) at Dell; (ticket, title)."""
    title = alert_title()
    vendor_api.plan(title, *answers, delay=delay)
    return dell_alert(system, title), title


def _timeline(system: RunningSystem, ticket_id: str) -> list[dict[str, Any]]:
    view = system.ticket(ticket_id)
    assert view is not None
    timeline: list[dict[str, Any]] = view["timeline"]
    return timeline
