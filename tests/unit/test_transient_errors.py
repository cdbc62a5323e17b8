"""`is_transient` recognises every "database or broker not available" error, however wrapped.

The errors are the real exception classes of asyncpg, SQLAlchemy and aiokafka, chained the way
SQLAlchemy's asyncpg dialect raises them: the driver's error, the dialect's DB-API error made
from it, and SQLAlchemy's `DBAPIError` (or a subclass) made from that.
"""

from __future__ import annotations

import asyncpg.exceptions as pg
import pytest
from aiokafka import errors as kafka
from sqlalchemy import exc as sa
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi as DBAPI

from escalator_shared.errors import PermanentError, is_transient


def as_sqlalchemy_raises(
    error: Exception,
    translated: type[Exception] = DBAPI.Error,
    wrapper: type[sa.DBAPIError] = sa.DBAPIError,
) -> sa.DBAPIError:
    """`error` from the driver, as a statement that met it raises it: wrapped twice, chained."""
    try:
        try:
            raise error
        except Exception as driver_error:
            raise translated(str(driver_error), driver_error) from driver_error
    except Exception as dbapi_error:
        try:
            raise wrapper("SELECT 1", None, dbapi_error) from dbapi_error
        except sa.DBAPIError as raised:
            return raised


def raised_from(error: BaseException, cause: BaseException) -> BaseException:
    try:
        raise error from cause
    except BaseException as chained:
        return chained


NOT_ACCEPTING = "the database system is not yet accepting connections"


@pytest.mark.parametrize(
    "error",
    [
        pg.CannotConnectNowError(NOT_ACCEPTING),
        as_sqlalchemy_raises(pg.CannotConnectNowError(NOT_ACCEPTING)),
        as_sqlalchemy_raises(
            pg.CannotConnectNowError("the database system is in recovery mode"),
            DBAPI.OperationalError,
            sa.OperationalError,
        ),
        as_sqlalchemy_raises(pg.CannotConnectNowError("the database system is shutting down")),
        as_sqlalchemy_raises(
            pg.AdminShutdownError("terminating connection due to administrator command")
        ),
        as_sqlalchemy_raises(
            pg.CrashShutdownError(
                "terminating connection because of crash of another server process"
            )
        ),
        as_sqlalchemy_raises(pg.IdleSessionTimeoutError("terminating connection due to idle")),
        as_sqlalchemy_raises(pg.TooManyConnectionsError("sorry, too many clients already")),
        as_sqlalchemy_raises(
            pg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
        ),
        as_sqlalchemy_raises(pg.ConnectionFailureError("could not receive data from client")),
        as_sqlalchemy_raises(pg.ClientCannotConnectError("could not connect")),
        as_sqlalchemy_raises(
            pg.InterfaceError("cannot perform operation: connection is closed"),
            DBAPI.InterfaceError,
            sa.InterfaceError,
        ),
        pg.InterfaceError("cannot perform operation: connection is closed"),
        ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 15432)"),
        ConnectionResetError(104, "Connection reset by peer"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed"),
        TimeoutError(),
        sa.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
        sa.DisconnectionError("pooled connection is dead"),
        kafka.NotLeaderForPartitionError(),
        kafka.LeaderNotAvailableError(),
        kafka.KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 19092)]"),
        kafka.RequestTimedOutError(),
        kafka.NodeNotReadyError("node 1 not ready"),
        kafka.NotEnoughReplicasError(),
        kafka.NotEnoughReplicasAfterAppendError(),
        kafka.CoordinatorNotAvailableError(),
        kafka.NotCoordinatorForGroupError(),
        kafka.KafkaTimeoutError(),
        kafka.CommitFailedError("the group rebalanced after the broker came back"),
        raised_from(RuntimeError("store failed"), pg.CannotConnectNowError(NOT_ACCEPTING)),
        ExceptionGroup(
            "both", [kafka.LeaderNotAvailableError(), ConnectionRefusedError("refused")]
        ),
    ],
    ids=lambda e: f"{type(e).__name__}:{e}"[:80],
)
def test_an_unavailable_database_or_broker_is_transient(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        as_sqlalchemy_raises(
            pg.UniqueViolationError("duplicate key value"),
            DBAPI.IntegrityError,
            sa.IntegrityError,
        ),
        as_sqlalchemy_raises(
            pg.CharacterNotInRepertoireError('invalid byte sequence for encoding "UTF8": 0x00')
        ),
        as_sqlalchemy_raises(pg.UndefinedTableError('relation "tickets" does not exist')),
        pg.InterfaceError("cannot perform operation: another operation is in progress"),
        ValueError("no such person as person-0"),
        FileNotFoundError(2, "No such file or directory"),
        PermissionError(13, "Permission denied"),
        kafka.MessageSizeTooLargeError(),
        raised_from(PermanentError("SMTP 550"), ConnectionResetError("reset")),
        ExceptionGroup("mixed", [kafka.LeaderNotAvailableError(), ValueError("bad")]),
    ],
    ids=lambda e: f"{type(e).__name__}:{e}"[:80],
)
def test_a_bad_message_or_a_bug_is_not_transient(error: BaseException) -> None:
    assert not is_transient(error)


def test_sqlalchemy_does_not_call_57p03_a_disconnect_but_keeps_its_sqlstate() -> None:
    wrapped = as_sqlalchemy_raises(pg.CannotConnectNowError(NOT_ACCEPTING))
    assert not wrapped.connection_invalidated  # SQLAlchemy does not call it a disconnect
    assert getattr(wrapped.orig, "sqlstate", None) == "57P03"
