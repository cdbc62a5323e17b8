"""The opener's slots for cases handed over in memory: reserved, sent once, or given back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from prometheus_client import CollectorRegistry
from sqlalchemy import Row

from escalator_shared.config import load_config
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_vendor_gateway.case_lifecycle import CaseLifecycle
from escalator_vendor_gateway.case_opener import CaseOpener, OpenerLimits
from escalator_vendor_gateway.channels.base import CaseChannel, CaseToOpen, OpenedCase
from escalator_vendor_gateway.domain.case_plan import CaseStatus
from escalator_vendor_gateway.domain.circuit_breaker import VendorBreakers
from escalator_vendor_gateway.domain.retry_policy import RetryPolicy
from escalator_vendor_gateway.gateway_metrics import GatewayMetrics

CONFIG = load_config(Path(__file__).parents[2] / "deploy" / "config" / "example.yaml")
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


class RecordingChannel:
    """Answers every case at once with a number, and keeps the keys it was given."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.release = asyncio.Event()

    async def open(self, case: CaseToOpen) -> OpenedCase:
        self.keys.append(case.key)
        await self.release.wait()
        return OpenedCase(f"V-{case.key}", vendor_seconds=0.0)


def _no_database() -> UnitOfWork:
    raise AssertionError("a case handed over must not be claimed from the database")


def _opener(
    channel: CaseChannel, slots: int = 2, breakers: VendorBreakers | None = None
) -> CaseOpener:
    metrics = GatewayMetrics.create(CollectorRegistry())
    return CaseOpener(
        _no_database,
        CONFIG,
        {"api": channel},
        CaseLifecycle(CONFIG, metrics, lambda: None),
        metrics,
        retry=RetryPolicy(3, timedelta(seconds=1), timedelta(seconds=10)),
        breakers=breakers or VendorBreakers(threshold=2),
        limits=OpenerLimits(batch_size=slots, lease=LEASE),
    )


def _row(key: str) -> Row[Any]:
    return cast(
        Row[Any],
        SimpleNamespace(
            ticket_id=f"t-{key}",
            vendor="microsoft",
            client_id="acme",
            channel="api",
            case_key=key,
            content={},
            unsure=False,
            attempts=1,
            ready_at=NOW,
        ),
    )


async def test_slots_are_reserved_up_to_the_batch_and_a_given_back_slot_counts_once() -> None:
    opener = _opener(RecordingChannel(), slots=2)
    first = opener.reserve("microsoft", NOW)
    second = opener.reserve("microsoft", NOW)
    assert first is not None
    assert second is not None
    assert opener.reserve("microsoft", NOW) is None  # both slots promised
    assert first.leased(1) == {
        "status": CaseStatus.SENDING.value,
        "attempts": 1,
        "lease_until": NOW + LEASE,
    }
    first.give_back()
    first.give_back()  # a rollback after a conflict already gave it back: no second slot
    third = opener.reserve("microsoft", NOW)
    assert third is not None
    assert opener.reserve("microsoft", NOW) is None


async def test_a_vendor_held_back_by_its_breaker_or_a_stopping_opener_gets_no_slot() -> None:
    breakers = VendorBreakers(threshold=2)
    opener = _opener(RecordingChannel(), slots=4, breakers=breakers)
    breakers.of("microsoft").failed(NOW)
    breakers.of("microsoft").failed(NOW)  # open now
    assert opener.reserve("microsoft", NOW) is None
    assert opener.reserve("fibrenet", NOW) is not None
    opener.stop()
    assert opener.reserve("fibrenet", NOW) is None


async def test_a_committed_slot_sends_its_case_without_a_claim_and_frees_when_done() -> None:
    channel = RecordingChannel()
    opener = _opener(channel, slots=1)
    slot = opener.reserve("microsoft", NOW)
    assert slot is not None
    slot.send(_row("VC-1"))
    slot.send(_row("VC-1"))  # sent once, however often the commit hook fires
    slot.give_back()  # and not given back after it went out
    await asyncio.sleep(0)
    assert channel.keys == ["VC-1"]
    assert opener.reserve("microsoft", NOW) is None  # the case is in flight
    channel.release.set()
    for _ in range(5):
        await asyncio.sleep(0)
    assert opener.reserve("microsoft", NOW) is not None  # its slot is free again
    assert channel.keys == ["VC-1"]


async def test_a_stopping_opener_waits_for_the_cases_of_slots_still_reserved() -> None:
    channel = RecordingChannel()
    opener = _opener(channel, slots=2)
    slot = opener.reserve("microsoft", NOW)
    assert slot is not None
    opener.stop()
    settling = asyncio.create_task(opener.settle(within=5))
    await asyncio.sleep(0.01)
    assert not settling.done()  # the transaction holding the slot has not ended
    slot.send(_row("VC-2"))  # it commits: the case goes out
    await asyncio.sleep(0.01)
    assert channel.keys == ["VC-2"]
    assert not settling.done()  # the case is in flight
    channel.release.set()
    await asyncio.wait_for(settling, timeout=1)
