"""The event catalogue: unique names, streams that exist, a lossless wire form."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from escalator_shared.events import (
    CATALOGUE,
    Envelope,
    Priority,
    Severity,
    TicketOpened,
    TicketRouted,
    Topics,
    UnknownEventTypeError,
    decode,
    new_id,
)


def test_event_types_are_unique_and_streams_resolve() -> None:
    names = [cls.event_type for cls in CATALOGUE]
    assert len(names) == len(set(names))
    topics = Topics("t.")
    for cls in CATALOGUE:
        assert topics.for_stream(cls.stream).startswith("t.")


def test_envelope_round_trips_and_keeps_causality() -> None:
    opened = TicketOpened(
        title="Disk full",
        source="generic",
        integration="acme-monitoring",
        dedup_key="disk-c",
        severity=Severity.CRITICAL,
        priority=Priority.P1,
        opened_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    first = Envelope.wrap(opened, ticket_id="t1", client_id="acme", producer="intake")
    assert first.correlation_id == first.event_id
    assert first.causation_id is None
    routed = TicketRouted(title="Disk full", tier="L2", priority=Priority.P1, rule="critical")
    second = Envelope.wrap(routed, ticket_id="t1", client_id="acme", producer="router", cause=first)
    assert second.correlation_id == first.event_id
    assert second.causation_id == first.event_id
    parsed = Envelope.from_bytes(second.to_bytes())
    assert parsed == second
    assert decode(parsed) == routed


def test_events_are_frozen_and_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        TicketRouted(title="x", tier="L1", priority=Priority.P3, rule="r", colour="red")  # type: ignore[call-arg]
    routed = TicketRouted(title="x", tier="L1", priority=Priority.P3, rule="r")
    with pytest.raises(ValidationError, match="frozen"):
        routed.tier = "L2"  # type: ignore[misc]


def test_unknown_event_type_is_reported() -> None:
    envelope = Envelope(
        event_type="Nope", ticket_id="t", client_id="c", correlation_id="x", payload={}
    )
    with pytest.raises(UnknownEventTypeError, match="Nope"):
        decode(envelope)


def test_unknown_stream_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stream"):
        Topics().for_stream("gossip")


def test_new_ids_are_distinct_version_4_uuids_in_canonical_form() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(value)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == value
    # Every variant digit turns up: the two variant bits are fixed, the other two random.
    assert {value[19] for value in ids} == set("89ab")
