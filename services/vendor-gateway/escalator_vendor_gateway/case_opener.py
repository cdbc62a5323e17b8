"""Sends the cases that are ready, and records each outcome: exactly one case per ticket and
vendor, whatever crashes, redeliveries or restarts happen on the way.

1. A case made ready in this instance (the consumer's handlers, the API) is stored already
   leased to it in that same transaction when a slot is free (`reserve`), and handed over in
   memory once committed. Other ready cases (no slot free then, retries, another instance's
   lease run out) are claimed: one short transaction marks due cases `sending`, counts the
   attempt and leases them to this instance. A lease that runs out (the instance died) makes
   the case due again, marked *unsure*: that attempt may have reached the vendor. The claimer
   takes as many cases as there are free slots (`batch_size` in flight or reserved), as soon
   as a commit says cases are ready.
2. Each case goes out on its own task with its stable key (Idempotency-Key, Message-ID,
   external id); an unsure case is first looked up at the vendor where its API can search.
3. The recorder writes the outcomes that have come back, together in one transaction (a group
   commit), each guarded by the attempt it claimed: opened (with VendorCaseOpened in the
   outbox), retried later (backoff with jitter, at least Retry-After), or failed for good
   (VendorCaseFailed). A vendor whose calls keep failing is held back by its circuit breaker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row

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
from escalator_vendor_gateway.domain.circuit_breaker import BreakerState, VendorBreakers
from escalator_vendor_gateway.domain.retry_policy import RetryPolicy
from escalator_vendor_gateway.gateway_metrics import GatewayMetrics
from escalator_vendor_gateway.send_slot import SendSlot

log = logging.getLogger(__name__)

Outcome = OpenedCase | OpeningFailed


@dataclass(frozen=True)
class OpenerLimits:
    """How much the opener takes on at once, and how long a claim is held."""

    batch_size: int = 64
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
        self._in_flight: set[asyncio.Task[None]] = set()
        self._reserved = 0  # slots promised to transactions not yet ended
        self._stopping = False
        self._slot_freed = asyncio.Event()
        self._outcomes: list[tuple[Row[Any], Outcome]] = []
        self.loop = PollingLoop(self.open_due, limits.poll_seconds)
        self._recorder = PollingLoop(self.record_outcomes, limits.poll_seconds)

    async def run(self) -> None:
        """Claim and send until stopped; then let the cases in flight (and those of slots
        reserved by transactions still running) finish, and record them.

        If recording fails (the database went away), claiming stops too and the error ends the
        run (the runtime restarts it); outcomes not yet recorded are kept for the next run."""
        self.loop = PollingLoop(self.open_due, self._limits.poll_seconds)
        self._recorder = PollingLoop(self.record_outcomes, self._limits.poll_seconds)
        self._stopping = False
        recorder = asyncio.create_task(self._recorder.run(), name="case-outcome-recorder")
        recorder.add_done_callback(self._recorder_ended)
        try:
            await self.loop.run()
        finally:
            await self.settle(self._limits.lease.total_seconds())
            self._recorder.stop()
            await recorder
            await self.record_outcomes()

    def stop(self) -> None:
        """Stop claiming (and taking cases over from transactions)."""
        self._stopping = True
        self.loop.stop()
        self._slot_freed.set()

    def wake(self) -> None:
        """Cases are ready: claim now rather than at the next poll."""
        self.loop.wake()

    async def settle(self, within: float) -> None:
        """Wait (up to `within` seconds) until no case is in flight and no slot is reserved."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while (self._in_flight or self._reserved) and loop.time() < deadline:
            self._slot_freed.clear()
            left = deadline - loop.time()
            if self._in_flight:
                await asyncio.wait(
                    set(self._in_flight), timeout=left, return_when=asyncio.FIRST_COMPLETED
                )
            else:  # a transaction holds a slot: it commits (the case comes) or gives it back
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._slot_freed.wait(), timeout=left)

    def _recorder_ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.stop()

    def reserve(self, vendor: str, now: datetime) -> SendSlot | None:
        """A slot for a case a transaction is making ready, or None: every slot is taken, the
        vendor's breaker is not closed, or the opener is stopping."""
        if self._stopping or self._free() <= 0:
            return None
        if self._breakers.of(vendor).state(now) is not BreakerState.CLOSED:
            return None
        self._reserved += 1
        return SendSlot(now + self._limits.lease, self._take_over, self._give_back)

    def _take_over(self, row: Row[Any]) -> None:
        self._reserved -= 1
        self._start(row)
        self._slot_freed.set()  # wakes `settle`

    def _give_back(self) -> None:
        self._reserved -= 1
        self._slot_freed.set()

    def _free(self) -> int:
        return self._limits.batch_size - len(self._in_flight) - self._reserved

    async def open_due(self) -> bool:
        """Claim due cases for the free slots and send each; True when more may be waiting."""
        free = self._free()
        if free <= 0:
            self._slot_freed.clear()
            await self._slot_freed.wait()
            return True
        now = utc_now()
        async with self._unit_of_work() as uow:
            claimed = await case_store.claim_due(
                uow.session, now, self._limits.lease, free, self._breakers.blocked(now)
            )
        for row in claimed:
            self._start(row)
        return len(claimed) == free

    def _start(self, row: Row[Any]) -> None:
        task = asyncio.create_task(self._send(row))
        self._in_flight.add(task)
        task.add_done_callback(self._finished)

    async def record_outcomes(self) -> bool:
        """Record every outcome back so far in one transaction; False when there was none."""
        if not self._outcomes:
            return False
        outcomes, self._outcomes = self._outcomes, []
        try:
            await self._record(outcomes)
        except BaseException:
            self._outcomes[:0] = outcomes  # kept for the next try
            raise
        return True

    async def _send(self, row: Row[Any]) -> None:
        outcome = await self._attempt(row)
        # Appended only now: the recorder swaps the list while attempts are out.
        self._outcomes.append((row, outcome))
        self._recorder.wake()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._slot_freed.set()

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
            opened = [(row, o) for row, o in outcomes if isinstance(o, OpenedCase)]
            recorded = (
                await case_store.mark_opened(
                    uow.session, [(row, o.reference) for row, o in opened], now
                )
                if opened
                else set()
            )
            for row, case in opened:
                # Not recorded: another instance took the case over after our lease ran out.
                if (row.ticket_id, row.vendor) in recorded:
                    await self._lifecycle.announce_opened(
                        uow, row, case.reference, row.channel, message_id=case.message_id
                    )
                    self._observe(uow, row, case, now)
            for row, outcome in outcomes:
                if isinstance(outcome, OpeningFailed) and await case_store.release(
                    uow.session, row
                ):
                    await self._failed(uow, row, outcome, now)
        for vendor, breaker in self._breakers.breakers.items():
            blocked = breaker.opened_at is not None
            self._metrics.breaker_open.labels(vendor=vendor).set(1 if blocked else 0)

    def _observe(self, uow: UnitOfWork, row: Row[Any], opened: OpenedCase, now: datetime) -> None:
        if row.ready_at is None:
            return
        total = (now - row.ready_at).total_seconds()
        overhead = max(total - opened.vendor_seconds, 0.0)
        if row.attempts == 1:
            uow.after_commit(lambda: self._metrics.overhead.observe(overhead))
        call = self._metrics.vendor_call.labels(vendor=row.vendor)
        uow.after_commit(lambda: call.observe(opened.vendor_seconds))

    async def _failed(
        self, uow: UnitOfWork, row: Row[Any], failure: OpeningFailed, now: datetime
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
