"""Every sender adapter, fed arbitrary JSON: it parses or raises PayloadError, nothing else."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalator_intake.adapters.base import PayloadError, SenderAdapter
from escalator_intake.adapters.registry import ADAPTERS
from escalator_intake.domain.canonical import canonical_alert, resolve_severity
from escalator_shared.config import Integration
from escalator_shared.events import Envelope

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "payloads"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SAMPLES = {
    "alertmanager": ["alertmanager-v4-firing.json", "alertmanager-v4-resolved.json"],
    "grafana": ["grafana-alerting-firing.json"],
    "pagerduty": ["pagerduty-events-v2-trigger.json", "pagerduty-events-v2-resolve.json"],
    "zabbix": ["zabbix-webhook-problem.json", "zabbix-webhook-recovery.json"],
    "ninjaone": ["ninjaone-condition-triggered.json", "ninjaone-condition-reset.json"],
    "datto": ["datto-rmm-alert.json", "datto-rmm-body-template.json"],
}
SENDERS = sorted(SAMPLES)
CASES = [(sender, name) for sender in SENDERS for name in SAMPLES[sender]]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=16,
)


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and index path inside a JSON value."""
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return []
    found: list[tuple[Any, ...]] = []
    for key, child in items:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def keys(value: Any) -> set[str]:
    """Every object key inside a JSON value."""
    return {str(path[-1]) for path in paths(value) if isinstance(path[-1], str)}


def check(adapter: SenderAdapter, payload: Any) -> None:
    """Parse, and make sure whatever parsed is a valid, serialisable AlertReceived."""
    integration = Integration(id="any", type=adapter.type, token="dev-token-xyz123", client="c")
    assert adapter.body_token(payload) is None or isinstance(adapter.body_token(payload), str)
    error: PayloadError | None = None
    try:
        parsed = adapter.parse(payload)
    except PayloadError as exc:
        error, parsed = exc, []
    assert error is None or error.field
    for alert in parsed:
        assert alert.dedup_key
        assert 0 < len(alert.title) <= 1024
        assert all(isinstance(v, str) for v in alert.labels.values())
        severity = resolve_severity(alert.raw_severity, adapter.default_severities, integration)
        event = canonical_alert(alert, integration, severity, "a-1", NOW)
        assert event.occurred_at.tzinfo is not None
        Envelope.wrap(event, ticket_id="a-1", client_id="c", producer="intake").to_bytes()


def test_every_configurable_type_has_an_adapter() -> None:
    assert set(ADAPTERS) == {"generic", *SENDERS}
    assert all(adapter.type == type_ for type_, adapter in ADAPTERS.items())


@pytest.mark.parametrize("sender", SENDERS)
@given(payload=JSON)
def test_arbitrary_json(sender: str, payload: Any) -> None:
    check(ADAPTERS[sender], payload)


@pytest.mark.parametrize(("sender", "sample"), CASES)
@given(data=st.data())
@settings(max_examples=150)
def test_mutated_samples(sender: str, sample: str, data: st.DataObject) -> None:
    payload = load(sample)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        where = paths(payload)
        if not where:
            break
        path = data.draw(st.sampled_from(where), label="path")
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans(), label="delete"):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(JSON, label="value")
    check(ADAPTERS[sender], payload)


@pytest.mark.parametrize(("sender", "sample"), CASES)
@given(data=st.data())
def test_objects_made_of_the_senders_own_keys(
    sender: str, sample: str, data: st.DataObject
) -> None:
    known = sorted(keys(load(sample)))
    payload = data.draw(st.dictionaries(st.sampled_from(known), JSON, max_size=12))
    check(ADAPTERS[sender], payload)
    # The sample with one nested object swapped for one made of its sender's keys.
    base = load(sample)
    nested = [p for p in paths(base) if isinstance(_at(base, p), dict)]
    if nested:
        path = data.draw(st.sampled_from(nested))
        _set(base, path, copy.deepcopy(payload))
        check(ADAPTERS[sender], base)


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _set(value: Any, path: tuple[Any, ...], new: Any) -> None:
    _at(value, path[:-1])[path[-1]] = new
