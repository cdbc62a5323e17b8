"""Chases cases up the vendor's own escalation ladder (`escalation_levels`: e.g. the duty manager
once a case has waited 4 hours unresolved).

Each level is reached once per case: the claim that marks it (`chased_levels`) commits with the
timeline entry and the technician's notice. A case overdue for several levels at once (the
gateway was down) is chased at the highest it has reached only.
"""

from __future__ import annotations

from collections.abc import Callable

from escalator_shared.config import EscalatorConfig
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import utc_now
from escalator_shared.polling import PollingLoop
from escalator_vendor_gateway import case_store
from escalator_vendor_gateway.case_tracking import CaseTracking


class EscalationChaser:
    """Finds open cases past a level of their vendor's ladder and chases them."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        config: EscalatorConfig,
        tracking: CaseTracking,
        *,
        poll_seconds: float,
        batch_size: int = 100,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._tracking = tracking
        self._batch_size = batch_size
        self._vendors = [v for v in config.vendors if v.escalation_levels]
        self.loop = PollingLoop(self.chase_due, poll_seconds)

    async def chase_due(self) -> bool:
        """Chase one batch per vendor and level; True when a batch was full."""
        full = False
        async with self._unit_of_work() as uow:
            now = utc_now()
            for vendor in self._vendors:
                # Highest level first: a case past several is marked at the highest, and the
                # lower levels' claims then pass it by.
                for level in reversed(range(len(vendor.escalation_levels))):
                    after = vendor.escalation_levels[level].after
                    due = await case_store.claim_for_chase(
                        uow.session, vendor.id, level, after, now=now, limit=self._batch_size
                    )
                    for row in due:
                        await self._tracking.chase(uow, row, level, now)
                    full = full or len(due) == self._batch_size
        return full
