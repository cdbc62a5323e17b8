"""The interface every case channel implements, and how it reports a failed attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from escalator_shared.config import Vendor


@dataclass(frozen=True)
class CaseToOpen:
    """A complete case, ready to send. `unsure`: an earlier attempt may have reached the vendor
    (no answer came back), so a channel that can look cases up does so before sending again."""

    key: str
    vendor: Vendor
    context: dict[str, Any]
    unsure: bool = False


@dataclass(frozen=True)
class OpenedCase:
    """The vendor has the case: its number (or ours, where the vendor gives none)."""

    reference: str
    vendor_seconds: float  # time spent waiting on the vendor, for the overhead figures
    message_id: str | None = None  # the case email's Message-ID (bare), when sent by email


class OpeningFailed(Exception):  # noqa: N818 - reads as the outcome it is
    """An attempt failed; how to go on is in its fields.

    `reason` is a bounded label for metrics (timeout, connection, http_5xx, http_429, http_4xx,
    malformed, smtp, smtp_refused, config). `unsure`: the vendor may have the case all the same.
    `permanent`: retrying cannot help. `vendor_fault`: counts against the vendor's breaker.
    """

    def __init__(
        self,
        reason: str,
        detail: str,
        *,
        permanent: bool = False,
        unsure: bool = False,
        retry_after: timedelta | None = None,
        vendor_fault: bool = True,
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.permanent = permanent
        self.unsure = unsure
        self.retry_after = retry_after
        self.vendor_fault = vendor_fault


class CaseChannel(Protocol):
    """Opens a case at a vendor; raises OpeningFailed when it cannot."""

    async def open(self, case: CaseToOpen) -> OpenedCase:
        """Open it, once: the same key must not make a second case."""
        ...
