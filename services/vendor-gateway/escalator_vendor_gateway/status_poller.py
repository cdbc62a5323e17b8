"""Asks vendors' APIs for the status of their open cases, where a vendor's `api.poll` says so
(for vendors that send no webhook).

A claim marks each due case asked (`polled_at`) in one short transaction, so concurrent instances
leave it alone until `every` has passed again; the requests go out together; the answers are
recorded in one transaction, each case re-read and locked, and only if it is still at the vendor
under the same number. A status meaning *responded* or *resolved* (the vendor's `api.updates`, or
its preset) answers the case; another status is progress, recorded once per change. A failed
request is counted by reason, logged and kept on the case (`poll_error`); the next poll tries
again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Row

from escalator_shared.config import EscalatorConfig, Vendor
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import utc_now
from escalator_shared.polling import PollingLoop
from escalator_vendor_gateway import case_store
from escalator_vendor_gateway.case_tracking import CaseTracking
from escalator_vendor_gateway.channels.api_channel import ApiCaseChannel
from escalator_vendor_gateway.channels.api_presets import status_meaning, status_updates
from escalator_vendor_gateway.channels.base import OpeningFailed
from escalator_vendor_gateway.domain.case_plan import AT_VENDOR, CaseStatus
from escalator_vendor_gateway.gateway_metrics import GatewayMetrics

log = logging.getLogger(__name__)

_ERROR_TEXT = 1000


class StatusPoller:
    """Polls the status of open cases at vendors configured for it."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        config: EscalatorConfig,
        api: ApiCaseChannel,
        tracking: CaseTracking,
        metrics: GatewayMetrics,
        *,
        poll_seconds: float,
        batch_size: int = 32,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._api = api
        self._tracking = tracking
        self._metrics = metrics
        self._batch_size = batch_size
        self._vendors = [v for v in config.vendors if v.api is not None and v.api.poll is not None]
        self.loop = PollingLoop(self.poll_due, poll_seconds)

    async def poll_due(self) -> bool:
        """Ask about one batch of due cases; True when a vendor's batch was full."""
        if not self._vendors:
            return False
        now = utc_now()
        claimed: list[tuple[Vendor, Row[Any]]] = []
        async with self._unit_of_work() as uow:
            for vendor in self._vendors:
                assert vendor.api is not None
                assert vendor.api.poll is not None
                rows = await case_store.claim_for_status(
                    uow.session, vendor.id, vendor.api.poll.every, now, self._batch_size
                )
                claimed.extend((vendor, row) for row in rows)
        if not claimed:
            return False
        answers = await asyncio.gather(*(self._ask(vendor, row) for vendor, row in claimed))
        async with self._unit_of_work() as uow:
            for (vendor, row), answer in zip(claimed, answers, strict=True):
                await self._record(uow, vendor, row, answer)
        return len(claimed) >= self._batch_size

    async def _ask(self, vendor: Vendor, row: Row[Any]) -> str | OpeningFailed:
        assert vendor.api is not None
        try:
            return await self._api.status(vendor.api, row.case_reference)
        except OpeningFailed as failure:
            return failure

    async def _record(
        self, uow: UnitOfWork, vendor: Vendor, asked: Row[Any], answer: str | OpeningFailed
    ) -> None:
        polls = self._metrics.status_polls
        row = await case_store.case_of(uow.session, asked.ticket_id, asked.vendor, lock=True)
        if (
            row is None
            or CaseStatus(row.status) not in AT_VENDOR
            or row.case_reference != asked.case_reference
        ):
            return  # answered, resolved or renumbered meanwhile: this answer is stale
        if isinstance(answer, OpeningFailed):
            log.warning("status of %s case %s: %s", vendor.id, row.case_reference, answer)
            await case_store.change(uow.session, row, poll_error=str(answer)[:_ERROR_TEXT])
            uow.after_commit(polls.labels(vendor=vendor.id, outcome=answer.reason).inc)
            return
        if row.poll_error is not None:
            await case_store.change(uow.session, row, poll_error=None)
        assert vendor.api is not None
        meaning = status_meaning(status_updates(vendor.api), answer)
        changed = await self._tracking.reported(uow, row, meaning, answer, polled=True)
        outcome = "answered" if changed else "unchanged"
        uow.after_commit(polls.labels(vendor=vendor.id, outcome=outcome).inc)
