"""The exception hierarchy of Escalator, in one place.

- `EscalatorError`: base of our own errors.
  - `PermanentError`: retrying cannot help (bad payload, unknown reference); a consumer
    dead-letters the message at once.
  - `NotReadyError`: a precondition is not met yet (an event another stream will deliver);
    retried with backoff, dead-lettered after the attempts run out.
- Infrastructure errors (database or broker unavailable) are *transient*: a consumer retries
  them without limit, pausing its partition, and a timer or polling loop waits them out,
  because dead-lettering or crashing during an outage would push every message aside.
  `is_transient` tells them apart, looking through the wrappers (SQLAlchemy's `DBAPIError` and
  its `orig`, the dialect's exception, `__cause__`) down to the driver's error: a connection
  that failed, was refused, reset or closed; SQLSTATE class 08 (connection exception), 57P01
  (admin shutdown), 57P02 (crash shutdown), 57P03 (cannot connect now: starting up, shutting
  down, in recovery), 57P05 (idle session timeout), 53300 (too many connections); a pool
  timeout; a broker error Kafka marks retriable (no leader, not enough replicas, coordinator
  not available, request timed out, node not ready) and timeouts and connection errors.
  Our own `EscalatorError` anywhere in the chain is a decision already made: not transient.
- `ConfigError` (escalator_shared.config) stops a service at start with the file and key named.
"""

from __future__ import annotations

from collections.abc import Iterator

from aiokafka.errors import (
    CommitFailedError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
)
from asyncpg.exceptions import InterfaceError as AsyncpgInterfaceError
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import InterfaceError as SqlalchemyInterfaceError
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
    OperationalError,
    DisconnectionError,
    PoolTimeoutError,
    KafkaConnectionError,
    KafkaTimeoutError,
    # The group rebalanced under a consumer (the broker was away, say): its offsets are refused
    # and the batch goes again to whoever owns the partitions now; handlers are idempotent.
    CommitFailedError,
)
# OSErrors that are about files, not about reaching a server.
_NOT_NETWORK: tuple[type[OSError], ...] = (
    FileNotFoundError,
    FileExistsError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)
_UNAVAILABLE_CLASS = "08"  # connection_exception, and every code of its class
_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "57P05", "53300"})
_CLOSED = ("connection is closed", "connection was closed")
_CHAIN_LIMIT = 16  # wrappers are a few deep; a longer chain is a loop or not ours


def is_transient(exc: BaseException) -> bool:
    """Whether the error means infrastructure is unavailable, not that the message is bad."""
    if isinstance(exc, BaseExceptionGroup):
        return all(is_transient(inner) for inner in exc.exceptions)
    for error in _chain(exc):
        if isinstance(error, EscalatorError):
            return False
        if _unavailable(error):
            return True
    return False


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The error, then what it wraps: a DBAPIError's `orig`, each `__cause__`."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _CHAIN_LIMIT:
        seen.add(id(current))
        yield current
        wrapped = current.orig if isinstance(current, DBAPIError) else None
        current = wrapped if isinstance(wrapped, BaseException) else current.__cause__


def _unavailable(error: BaseException) -> bool:
    if isinstance(error, KafkaError) and not isinstance(error, _TRANSIENT):
        return bool(error.retriable)
    if isinstance(error, OSError):
        return not isinstance(error, _NOT_NETWORK)
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return (
        isinstance(error, _TRANSIENT)
        or (isinstance(error, DBAPIError) and error.connection_invalidated)
        or (
            isinstance(state, str)
            and (state.startswith(_UNAVAILABLE_CLASS) or state in _UNAVAILABLE_STATES)
        )
        or (
            isinstance(error, AsyncpgInterfaceError | SqlalchemyInterfaceError)
            and any(text in str(error) for text in _CLOSED)
        )
    )
