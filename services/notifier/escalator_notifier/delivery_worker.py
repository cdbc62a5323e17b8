"""Sends due deliveries: claims a batch, admits it through the rate limits, sends it
concurrently, records every attempt.

Exactly once, as far as a channel allows: a claim commits the rows as `sending` under a lease
before anything is sent, and the outcomes are recorded in a second transaction, only for rows
still held under the attempt claimed. Rows whose lease ran out are settled by
`lease_recovery`.

A temporary failure is retried with exponential backoff and full jitter, never sooner than the
provider's Retry-After; a permanent one (or retries spent) goes to `delivery_failures`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, Text, and_, bindparam, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert

from escalator_notifier.channels.base import NotificationChannel, SendFailed
from escalator_notifier.channels.email_channel import delivery_message_id
from escalator_notifier.collections import CollectionWriter
from escalator_notifier.delivery_failures import FailureHandling
from escalator_notifier.domain.payloads import Message
from escalator_notifier.domain.rate_window import RateWindow, admit, bundle_due
from escalator_notifier.lease_recovery import recover_expired
from escalator_notifier.notifier_metrics import NotifierMetrics
from escalator_notifier.tables import (
    COLLECTIONS,
    PENDING,
    SENDING,
    SENT,
    deliveries,
    delivery_attempts,
    rate_windows,
)
from escalator_shared.config import EscalatorConfig
from escalator_shared.db.array_params import any_of
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import (
    NotificationDelivered,
    utc_now,
)
from escalator_shared.outages import Outage, retry_while_unavailable
from escalator_shared.polling import PollingLoop

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerLimits:
    """How much the worker takes on at once, and how it retries."""

    batch_size: int = 200
    lease: timedelta = timedelta(seconds=60)
    in_flight: int = 16
    max_attempts: int = 6
    retry_base: timedelta = timedelta(seconds=2)
    retry_cap: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class _Outcome:
    row: Any
    response: str
    error: SendFailed | None
    latency_ms: float


class DeliveryWorker:
    """One pass (`step`) sends one batch; `loop` repeats it in the background."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        config: EscalatorConfig,
        channels: Mapping[str, NotificationChannel],
        collections: CollectionWriter,
        metrics: NotifierMetrics,
        *,
        limits: WorkerLimits,
        poll_seconds: float,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._config = config
        self._channels = channels
        self._collections = collections
        self._metrics = metrics
        self._limits = limits
        self._clock = clock
        self._in_flight = asyncio.Semaphore(limits.in_flight)
        self._failures = FailureHandling(config, metrics)
        self.loop = PollingLoop(self.step, poll_seconds)
        self._recording_outage = Outage("delivery worker recording what it sent")

    async def step(self) -> bool:
        """Claim, send and record one batch; False when nothing was due."""
        due, claimed = await self._claim()
        if claimed:
            leased_until = time.monotonic() + self._limits.lease.total_seconds()
            outcomes = await asyncio.gather(*(self._send_in_turn(row) for row in claimed))
            # What was sent is sent: a database outage now waits (while the lease lasts)
            # rather than lose the answers and leave the rows to be sent again or marked unsure.
            await retry_while_unavailable(
                lambda: self._record(outcomes), self._recording_outage, until=leased_until
            )
        return due

    # --- claim --------------------------------------------------------------------------

    async def _claim(self) -> tuple[bool, list[Any]]:
        """(whether anything was due, the rows claimed to send now)."""
        now = self._clock()
        async with self._unit_of_work() as uow:
            await recover_expired(uow, now, self._metrics)
            rows = list(
                await uow.session.execute(
                    select(deliveries)
                    .where(deliveries.c.status == PENDING, deliveries.c.next_attempt_at <= now)
                    .order_by(deliveries.c.next_attempt_at)
                    .limit(self._limits.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            if not rows:
                return False, []
            admitted = await self._admit(uow, rows, now)
            ready = []
            for row in admitted:
                composed = (
                    await self._collections.compose(uow.session, row)
                    if row.kind in COLLECTIONS
                    else row
                )
                if composed is not None:
                    ready.append(composed)
            if ready:
                await uow.session.execute(
                    update(deliveries)
                    .where(deliveries.c.id == any_of("ids", Text, [r.id for r in ready]))
                    .values(
                        status=SENDING,
                        lease_until=now + self._limits.lease,
                        attempts=deliveries.c.attempts + 1,
                    )
                )
        return True, ready

    async def _admit(self, uow: UnitOfWork, rows: list[Any], now: datetime) -> list[Any]:
        """The rows the rate limits let through now; the rest join their bundle."""
        keys = sorted({(r.recipient, r.channel) for r in rows})
        windows = {
            (w.recipient, w.channel): RateWindow(w.window_start, w.sent)
            for w in await uow.session.execute(
                select(rate_windows)
                .where(tuple_(rate_windows.c.recipient, rate_windows.c.channel).in_(_pairs(keys)))
                # One lock order for every worker, so that two instances never deadlock.
                .order_by(rate_windows.c.recipient, rate_windows.c.channel)
                .with_for_update()
            )
        }
        notifications = self._config.notifications
        admitted: list[Any] = []
        touched: set[tuple[str, str]] = set()
        for row in rows:
            key = (row.recipient, row.channel)
            limit = notifications.rate_limit(row.channel)
            allowed, window = admit(windows.get(key), limit, now)
            if row.kind in COLLECTIONS and not allowed:
                allowed, window = True, RateWindow(windows[key].start, windows[key].sent + 1)
            windows[key] = window
            touched.add(key)
            if allowed or limit is None:  # (no limit always admits; this tells mypy so)
                admitted.append(row)
                continue
            due = bundle_due(window, limit, notifications.bundle_wait, now)
            await self._collections.bundle(uow.session, row, due)
            self._metrics.bundled.labels(channel=row.channel).inc()
        if touched:
            values = [
                {
                    "recipient": r,
                    "channel": c,
                    "window_start": windows[(r, c)].start,
                    "sent": windows[(r, c)].sent,
                }
                for r, c in sorted(touched)
            ]
            statement = insert(rate_windows).values(values)
            await uow.session.execute(
                statement.on_conflict_do_update(
                    index_elements=["recipient", "channel"],
                    set_={
                        "window_start": statement.excluded.window_start,
                        "sent": statement.excluded.sent,
                    },
                )
            )
        return admitted

    # --- send ---------------------------------------------------------------------------

    async def _send_in_turn(self, row: Any) -> _Outcome:
        # No more requests in flight than connections: a queue inside the HTTP pool costs
        # far more than this semaphore.
        async with self._in_flight:
            return await self._send(row)

    async def _send(self, row: Any) -> _Outcome:
        channel = self._channels.get(row.channel)
        started = asyncio.get_running_loop().time()
        try:
            if channel is None:
                raise SendFailed(f"no {row.channel!r} channel is configured", permanent=True)
            response = await channel.send(_message(row), row.address)
            error = None
        except SendFailed as exc:
            response, error = exc.response, exc
        except Exception as exc:  # a channel bug must not lose the row: retried, then failed
            log.exception("channel %s raised", row.channel)
            response = f"{type(exc).__name__}: {exc}"
            error = SendFailed(response, permanent=False)
        latency_ms = (asyncio.get_running_loop().time() - started) * 1000
        return _Outcome(row, response[:1000], error, latency_ms)

    # --- record -------------------------------------------------------------------------

    async def _record(self, outcomes: list[_Outcome]) -> None:
        now = self._clock()
        sent: list[dict[str, Any]] = []
        async with self._unit_of_work() as uow:
            ours = await self._still_ours(uow, outcomes)
            for outcome in outcomes:
                row = outcome.row
                attempt = row.attempts + 1
                if row.id not in ours:
                    # The lease ran out first: recovery has settled the row (unsure, or to be
                    # sent again); this late answer changes nothing.
                    log.warning(
                        "delivery %s answered after its lease ran out (%s)",
                        row.id,
                        outcome.response,
                    )
                    continue
                guard = and_(
                    deliveries.c.id == row.id,
                    deliveries.c.status == SENDING,
                    deliveries.c.attempts == attempt,
                )
                uow.insert_later(
                    delivery_attempts,
                    {
                        "delivery_id": row.id,
                        "attempt": attempt,
                        "channel": row.channel,
                        "address": row.address,
                        "outcome": SENT
                        if outcome.error is None
                        else (
                            "permanent_failure" if outcome.error.permanent else "temporary_failure"
                        ),
                        "provider_response": outcome.response,
                        "latency_ms": round(outcome.latency_ms, 2),
                        "at": now,
                    },
                )
                if outcome.error is None:
                    await self._sent(uow, row, now)
                    sent.append(
                        {"row_id": row.id, "attempt": attempt, "response": outcome.response}
                    )
                elif outcome.error.permanent or attempt >= self._limits.max_attempts:
                    await self._failures.failed(uow, row, outcome.response, guard, now)
                else:
                    await self._retry(uow, row, outcome.error, guard, attempt=attempt, now=now)
            if sent:
                # One statement for the whole batch (executemany), each row guarded by its attempt.
                await uow.session.execute(
                    update(deliveries)
                    .where(
                        deliveries.c.id == bindparam("row_id"),
                        deliveries.c.status == SENDING,
                        deliveries.c.attempts == bindparam("attempt"),
                    )
                    .values(
                        status=SENT,
                        finished_at=now,
                        lease_until=None,
                        last_error=None,
                        provider_response=bindparam("response"),
                    ),
                    sent,
                )

    async def _still_ours(self, uow: UnitOfWork, outcomes: list[_Outcome]) -> set[str]:
        """The rows still `sending` under the attempt this worker claimed (locked)."""
        claimed = {o.row.id: o.row.attempts + 1 for o in outcomes}
        current = await uow.session.execute(
            select(deliveries.c.id, deliveries.c.status, deliveries.c.attempts)
            .where(deliveries.c.id == any_of("ids", Text, list(claimed)))
            .with_for_update()
        )
        return {
            row.id for row in current if row.status == SENDING and row.attempts == claimed[row.id]
        }

    async def _sent(self, uow: UnitOfWork, row: Any, now: datetime) -> None:
        """Count the delivery and announce it (the caller marks the rows sent together)."""
        since = _due_from(row)
        seconds = max(0.0, (now - since).total_seconds())
        self._metrics.deliveries.labels(channel=row.channel, outcome=SENT).inc()
        self._metrics.latency.labels(channel=row.channel).observe(seconds)
        await uow.emit(
            NotificationDelivered(
                notification_id=row.id,
                trigger_event_id=row.trigger_event_id,
                recipient=row.recipient,
                address=row.address,
                channel=row.channel,
                latency_ms=round(seconds * 1000, 1),
                message_id=self._message_id(row),
            ),
            ticket_id=row.ticket_id,
            client_id=row.client_id,
            correlation_id=row.correlation_id,
        )

    def _message_id(self, row: Any) -> str | None:
        """The Message-ID the email channel gave the delivery (none for other channels)."""
        if row.channel != "email":
            return None
        return delivery_message_id(row.id, self._config.email.own_message_id_domain)

    async def _retry(
        self,
        uow: UnitOfWork,
        row: Any,
        error: SendFailed,
        guard: Any,
        *,
        attempt: int,
        now: datetime,
    ) -> None:
        cap = min(self._limits.retry_cap, self._limits.retry_base * 2 ** (attempt - 1))
        wait = timedelta(seconds=random.uniform(0, cap.total_seconds()))
        if error.retry_after is not None:
            wait = max(wait, timedelta(seconds=error.retry_after))
        await uow.session.execute(
            update(deliveries)
            .where(guard)
            .values(
                status=PENDING,
                lease_until=None,
                next_attempt_at=now + wait,
                last_error=error.response,
            )
        )
        self._metrics.deliveries.labels(channel=row.channel, outcome="retry").inc()


def _message(row: Any) -> Message:
    details: dict[str, Any] = row.details or {}
    return Message(
        delivery_id=row.id,
        kind=row.kind,
        subject=row.subject,
        summary=details.get("summary") or row.subject,
        text=row.body,
        facts=[(str(label), str(value)) for label, value in details.get("facts", [])],
        links=details.get("links") or None,
        mention=details.get("mention"),
        ticket_id=row.ticket_id,
        client_id=row.client_id,
        occurred_at=row.trigger_occurred_at.isoformat(),
        thread=tuple(details.get("references", [])),
    )


def _due_from(row: Any) -> datetime:
    """What delivery latency counts from: the event, or the time a held, repeated or
    collected message was due."""
    occurred: datetime = row.trigger_occurred_at
    if row.repeat or row.held_until is not None or row.kind in COLLECTIONS:
        due: datetime = row.next_attempt_at
        return max(occurred, due)
    return occurred


def _pairs(keys: list[tuple[str, str]]) -> Any:
    """The (recipient, channel) pairs as a subquery over two arrays: one SQL text for any
    number of pairs (as `escalator_shared.db.array_params` does for single values)."""
    pairs = (
        func.unnest(
            bindparam("recipients", [r for r, _ in keys], type_=ARRAY(Text)),
            bindparam("channels", [c for _, c in keys], type_=ARRAY(Text)),
        )
        .table_valued("recipient", "channel")
        .render_derived()
    )
    return select(pairs.c.recipient, pairs.c.channel)
