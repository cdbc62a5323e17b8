"""Sends the cases that are ready, and records each outcome: exactly one case per ticket and
vendor, whatever crashes, redeliveries or restarts happen on the way.

1. A claim (one short transaction) marks due cases `sending`, counts the attempt and leases them
   to this instance; a lease that runs out (the instance died) makes the case due again, marked
   *unsure*: that attempt may have reached the vendor.
2. The cases go out concurrently, each with its stable key (Idempotency-Key, Message-ID,
   external id); an unsure case is first looked up at the vendor where its API can search.
3. One transaction records the outcomes, each guarded by the attempt it claimed: opened (with
   VendorCaseOpened in the outbox), retried later (backoff with jitter, at least Retry-After),
   or failed for good (VendorCaseFailed). A vendor whose calls keep failing is held back by its
   circuit breaker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, update

from escalator_shared.config import EscalatorConfig
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import utc_now
from escalator_shared.polling import PollingLoop
from escalator_vendor_gateway import case_store
from escalator_vendor_gateway.case_lifecycle import CaseLifecycle
from escalator_vendor_gateway.channels.base import (
    CaseChannel,
    CaseToOpen,
    OpenedCase,
    OpeningFailed,
)
from escalator_vendor_gateway.domain.case_plan import CaseStatus
from escalator_vendor_gateway.domain.circuit_breaker import VendorBreakers
from escalator_vendor_gateway.domain.retry_policy import RetryPolicy
from escalator_vendor_gateway.gateway_metrics import GatewayMetrics
from escalator_vendor_gateway.tables import vendor_cases

log = logging.getLogger(__name__)

Outcome = OpenedCase | OpeningFailed


@dataclass(frozen=True)
class OpenerLimits:
    """How much the opener takes on at once, and how long a claim is held."""

    batch_size: int = 200
    lease: timedelta = timedelta(seconds=60)
    poll_seconds: float = 0.5


class CaseOpener:
    """Claims ready cases, sends them on their channel, records the outcomes."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        config: EscalatorConfig,
        channels: Mapping[str, CaseChannel],
        lifecycle: CaseLifecycle,
        metrics: GatewayMetrics,
        *,
        retry: RetryPolicy,
        breakers: VendorBreakers,
        limits: OpenerLimits,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._config = config
        self._channels = channels
        self._lifecycle = lifecycle
        self._metrics = metrics
        self._retry = retry
        self._breakers = breakers
        self._limits = limits
        self.loop = PollingLoop(self.open_due, limits.poll_seconds)

    async def open_due(self) -> bool:
        """Send one batch of due cases; True when the batch was full (more may be waiting)."""
        now = utc_now()
        async with self._unit_of_work() as uow:
            claimed = await case_store.claim_due(
                uow.session,
                now,
                self._limits.lease,
                self._limits.batch_size,
                self._breakers.blocked(now),
            )
        if not claimed:
            return False
        outcomes = await asyncio.gather(*(self._attempt(row) for row in claimed))
        await self._record(list(zip(claimed, outcomes, strict=True)))
        return len(claimed) == self._limits.batch_size

    async def _attempt(self, row: Row[Any]) -> Outcome:
        breaker = self._breakers.of(row.vendor)
        if not breaker.allows(utc_now()):
            return OpeningFailed(
                "circuit_open", f"calls to {row.vendor} are held back", vendor_fault=False
            )
        try:
            vendor = self._config.vendor(row.vendor)
            channel = self._channels[row.channel]
            opened = await channel.open(CaseToOpen(row.case_key, vendor, row.content, row.unsure))
        except OpeningFailed as failure:
            if failure.vendor_fault:
                breaker.failed(utc_now())
            else:
                breaker.trial_running = False
            return failure
        except KeyError as exc:
            return OpeningFailed("config", f"no channel or vendor {exc}", permanent=True)
        breaker.succeeded()
        return opened

    async def _record(self, outcomes: list[tuple[Row[Any], Outcome]]) -> None:
        async with self._unit_of_work() as uow:
            now = utc_now()
            for row, outcome in outcomes:
                if not await self._still_ours(uow, row):
                    continue  # another instance took the case over after our lease ran out
                if isinstance(outcome, OpenedCase):
                    await self._lifecycle.opened(uow, row, outcome.reference, row.channel, now)
                    self._observe(uow, row, outcome, now)
                else:
                    await self._failed(uow, row, outcome, now)
        for vendor, breaker in self._breakers.breakers.items():
            blocked = breaker.opened_at is not None
            self._metrics.breaker_open.labels(vendor=vendor).set(1 if blocked else 0)

    async def _still_ours(self, uow: UnitOfWork, row: Row[Any]) -> bool:
        locked = await uow.session.execute(
            update(vendor_cases)
            .where(case_store.still_ours(row.ticket_id, row.vendor, row.attempts))
            .values(lease_until=None)
            .returning(vendor_cases.c.ticket_id)
        )
        return locked.first() is not None

    def _observe(self, uow: UnitOfWork, row: Row[Any], opened: OpenedCase, now: Any) -> None:
        if row.ready_at is None:
            return
        total = (now - row.ready_at).total_seconds()
        overhead = max(total - opened.vendor_seconds, 0.0)
        if row.attempts == 1:
            uow.after_commit(lambda: self._metrics.overhead.observe(overhead))
        call = self._metrics.vendor_call.labels(vendor=row.vendor)
        uow.after_commit(lambda: call.observe(opened.vendor_seconds))

    async def _failed(
        self, uow: UnitOfWork, row: Row[Any], failure: OpeningFailed, now: Any
    ) -> None:
        self._metrics.attempt_failures.labels(vendor=row.vendor, reason=failure.reason).inc()
        log.warning("vendor case %s attempt %d: %s", row.case_key, row.attempts, failure)
        if failure.permanent or self._retry.exhausted(row.attempts):
            await self._lifecycle.fail(uow, row, failure.reason, str(failure), now=now)
            return
        attempts = row.attempts
        if failure.reason == "circuit_open":
            attempts -= 1  # held back, not tried: the attempt is given back
        delay = self._retry.delay(max(attempts, 1), failure.retry_after)
        await case_store.change(
            uow.session,
            row,
            status=CaseStatus.PENDING.value,
            attempts=attempts,
            next_attempt_at=now + delay,
            unsure=row.unsure or failure.unsure,
            last_error=str(failure)[:1000],
            updated_at=now,
        )
