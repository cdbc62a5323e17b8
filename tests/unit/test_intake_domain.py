"""Intake's pure logic: the generic alert format, ticket transitions, timeline lines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalator_intake.adapters.base import PayloadError
from escalator_intake.adapters.generic import GenericAdapter, GenericAlert
from escalator_intake.domain.canonical import (
    ForeignClientError,
    canonical_alert,
    resolve_client,
    resolve_severity,
)
from escalator_intake.domain.ticket_rules import (
    TicketStatus,
    TransitionRefusedError,
    check_acknowledge,
    check_resolve,
)
from escalator_intake.domain.timeline_text import TIMELINE_EVENTS, describe
from escalator_shared.config import Integration
from escalator_shared.events import (
    AlertReceived,
    AlertStatus,
    Priority,
    Severity,
    SlaBreached,
    TicketPriorityChanged,
    TicketRouted,
)

INTEGRATION = Integration(id="acme-monitoring", token="dev-token-xyz123", client="acme")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _one(body: object) -> AlertReceived:
    (parsed,) = GenericAdapter().parse(body)
    severity = resolve_severity(parsed.raw_severity, GenericAdapter.default_severities, INTEGRATION)
    return canonical_alert(parsed, INTEGRATION, severity, "a-1", NOW)


def test_defaults_and_unknown_fields_are_kept() -> None:
    alert = _one({"title": "Disk full", "rmm_site": "HQ", "score": 7})
    assert (alert.severity, alert.status) == (Severity.WARNING, AlertStatus.FIRING)
    assert alert.details == {"rmm_site": "HQ", "score": 7}
    assert alert.occurred_at == NOW
    assert alert.integration == "acme-monitoring"


def test_without_a_dedup_key_title_and_device_make_a_stable_one() -> None:
    key = _one({"title": "CPU high", "device": "srv-1"}).dedup_key
    assert key == _one({"title": "CPU high", "device": "srv-1", "severity": "info"}).dedup_key
    assert key != _one({"title": "CPU high", "device": "srv-2"}).dedup_key


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x", "severity": "loud"}, "severity"),
        ({"title": "x", "status": "exploded"}, "status"),
        ({"title": "x", "labels": {"a": 1}}, "labels.a"),
    ],
)
def test_invalid_alerts_name_the_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        GenericAdapter().parse(body)
    assert caught.value.field == field


_UNKNOWN_KEYS = st.text(max_size=20).filter(lambda k: k not in GenericAlert.model_fields)


@given(st.dictionaries(_UNKNOWN_KEYS, st.text(max_size=50) | st.integers(), max_size=8))
def test_any_extra_fields_never_crash_the_translation(extra: dict[str, object]) -> None:
    alert = _one({**extra, "title": "t"})
    assert alert.title == "t"
    assert alert.details == extra


LABELLED = Integration(
    id="prom",
    token="dev-token-xyz123",
    client="acme",
    client_label="client",
    clients_by_value={"Globex Corp": "globex"},
)


def test_client_comes_from_the_configured_label_mapped_or_as_is() -> None:
    integration = LABELLED
    (parsed,) = GenericAdapter().parse({"title": "t", "labels": {"client": "Globex Corp"}})
    assert resolve_client(parsed, integration) == "globex"
    (as_is,) = GenericAdapter().parse({"title": "t", "labels": {"client": "globex"}})
    assert resolve_client(as_is, integration) == "globex"
    (unlabelled,) = GenericAdapter().parse({"title": "t", "labels": {}})
    assert resolve_client(unlabelled, integration) == "acme"


def test_a_label_naming_a_client_the_integration_does_not_list_is_refused() -> None:
    integration = LABELLED
    for value in ("initech", "no-such-client"):
        (foreign,) = GenericAdapter().parse({"title": "t", "labels": {"client": value}})
        with pytest.raises(ForeignClientError, match=f"client={value!r}.*acme, globex"):
            resolve_client(foreign, integration)
    listed = integration.model_copy(update={"clients": ["acme", "initech"]})
    (initech,) = GenericAdapter().parse({"title": "t", "labels": {"client": "initech"}})
    assert resolve_client(initech, listed) == "initech"


def test_the_integrations_severity_map_wins_over_the_adapters() -> None:
    integration = Integration(
        id="prom", token="dev-token-xyz123", client="acme", severity_map={"warning": "major"}
    )
    defaults = GenericAdapter.default_severities
    assert resolve_severity("Warning", defaults, integration) == Severity.MAJOR
    assert resolve_severity("info", defaults, integration) == Severity.INFO
    assert resolve_severity("whatever", defaults, integration) == Severity.WARNING


def test_ticket_transitions() -> None:
    check_acknowledge(TicketStatus.NEW, None)
    check_resolve(TicketStatus.IN_PROGRESS)
    with pytest.raises(TransitionRefusedError, match="already acknowledged by bob"):
        check_acknowledge(TicketStatus.IN_PROGRESS, "bob")
    with pytest.raises(TransitionRefusedError, match="resolved"):
        check_acknowledge(TicketStatus.RESOLVED, None)
    with pytest.raises(TransitionRefusedError, match="already resolved"):
        check_resolve(TicketStatus.RESOLVED)


def test_every_timeline_event_has_its_own_line() -> None:
    routed = TicketRouted(
        title="x",
        tier="L2",
        team="network",
        assignee="bob",
        priority=Priority.P1,
        rule="critical-to-l2",
    )
    assert describe(routed) == (
        "Routed to L2 (network), assigned to bob by rule critical-to-l2; priority P1"
    )
    breached = SlaBreached(
        clock_id="c",
        metric="response",
        policy="standard",
        target_seconds=900,
        due_at=NOW,
        breached_at=NOW,
    )
    assert describe(breached) == "response SLA breached (standard, target 900s)"
    by_person = TicketPriorityChanged(
        impact="high",
        urgency="medium",
        priority=Priority.P2,
        previous_priority=Priority.P4,
        by="alice",
    )
    assert describe(by_person) == "Priority P4 → P2 (impact high, urgency medium) by alice"
    by_alert = TicketPriorityChanged(
        priority=Priority.P1,
        previous_priority=Priority.P2,
        by="acme-monitoring",
        severity=Severity.CRITICAL,
        reason="a critical alert joined on sw-1: Core switch down",
    )
    assert describe(by_alert) == (
        "Priority P2 → P1 (a critical alert joined on sw-1: Core switch down) by acme-monitoring"
    )
    assert len(TIMELINE_EVENTS) >= 14
