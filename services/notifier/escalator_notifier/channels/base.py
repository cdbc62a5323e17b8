"""One interface for every channel: send a message, say what the provider answered.

A channel raises `SendFailed` when a message did not go: `permanent` when retrying cannot help
(an unknown number, a deleted webhook), else it is retried with backoff, never sooner than the
provider's Retry-After.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

from escalator_notifier.domain.payloads import Message


class SendFailed(Exception):  # noqa: N818 - reads as what happened
    """The message did not go; `response` is the provider's answer (or the error)."""

    def __init__(self, response: str, *, permanent: bool, retry_after: float | None = None):
        super().__init__(response)
        self.response = response
        self.permanent = permanent
        self.retry_after = retry_after


class NotificationChannel(Protocol):
    """Sends one message to one address."""

    async def send(self, message: Message, address: str) -> str:
        """Send it; the provider's answer, or SendFailed."""
        ...


def http_failure(status: int, body: str, retry_after: str | None) -> SendFailed:
    """What an HTTP error answer means: 408, 409, 425, 429 and 5xx may pass on a retry."""
    temporary = status in (408, 409, 425, 429) or status >= 500
    return SendFailed(
        f"HTTP {status}: {body[:300]}",
        permanent=not temporary,
        retry_after=retry_after_seconds(retry_after, datetime.now(UTC)),
    )


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds (it may be a number of seconds or an HTTP date)."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        at = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if at.tzinfo is None:  # the asctime form and "-0000" carry no zone: HTTP dates are GMT
        at = at.replace(tzinfo=UTC)
    return max(0.0, (at - now).total_seconds())
