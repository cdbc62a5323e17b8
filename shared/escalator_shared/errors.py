"""The exception hierarchy of Escalator, in one place.

- `EscalatorError`: base of our own errors.
  - `PermanentError`: retrying cannot help (bad payload, unknown reference); a consumer
    dead-letters the message at once.
  - `NotReadyError`: a precondition is not met yet (an event another stream will deliver);
    retried with backoff, dead-lettered after the attempts run out.
- Infrastructure errors (database or broker unreachable) are *transient*: a consumer retries
  them without limit, pausing its partition, because dead-lettering during an outage would
  push every message aside. `is_transient` tells them apart.
- `ConfigError` (escalator_shared.config) stops a service at start with the file and key named.
"""

from __future__ import annotations

import asyncio

from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError


class EscalatorError(Exception):
    """Base of Escalator's own errors."""


class PermanentError(EscalatorError):
    """Retrying cannot help; dead-letter at once."""


class NotReadyError(EscalatorError):
    """A precondition is not met yet; retry with backoff."""


_TRANSIENT: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    asyncio.TimeoutError,
    OperationalError,
    PoolTimeoutError,
    KafkaConnectionError,
    KafkaTimeoutError,
)


def is_transient(exc: BaseException) -> bool:
    """Whether the error means infrastructure is unavailable, not that the message is bad."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError | PermissionError):
        return True
    return isinstance(exc, _TRANSIENT)
