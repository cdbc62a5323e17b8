"""A slot of the opener's, reserved for a case that a transaction is making ready to send.

The transaction stores the case already leased to this instance (`sending`, its attempt
counted, `lease_until`), so no other instance claims it; once it commits, the case goes to the
opener in memory (`send`): no claim statement, no wait for the opener's next round. If the
transaction rolls back or stores nothing, the slot is given back. Either happens once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from escalator_vendor_gateway.domain.case_plan import CaseStatus


@dataclass
class SendSlot:
    """One reserved slot; `lease_until` is when the lease it stores runs out."""

    lease_until: datetime
    _send: Callable[[Row[Any]], None]
    _give_back: Callable[[], None]
    _used: bool = field(default=False)

    def leased(self, attempts: int) -> dict[str, Any]:
        """The columns that store a ready case as leased to this instance, in attempt
        `attempts` (the one about to be made)."""
        return {
            "status": CaseStatus.SENDING.value,
            "attempts": attempts,
            "lease_until": self.lease_until,
        }

    def send(self, row: Row[Any]) -> None:
        """The leased case is committed: send it."""
        if not self._used:
            self._used = True
            self._send(row)

    def give_back(self) -> None:
        """Nothing was stored with the lease: the slot is free again."""
        if not self._used:
            self._used = True
            self._give_back()


def no_slot(_vendor: str, _now: datetime) -> SendSlot | None:
    """For a lifecycle without an opener in the process: ready cases wait to be claimed."""
    return None
