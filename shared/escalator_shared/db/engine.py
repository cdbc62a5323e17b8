"""The async engine of one service, bound to the service's own schema."""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# A connection back in the pool for longer than this is tested before it is lent out again.
PING_AFTER_IDLE_SECONDS = 1.0


def build_engine(database_url: str, schema: str, pool_size: int = 10) -> AsyncEngine:
    """An asyncpg engine whose connections use `schema` as their search path."""
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"schema name {schema!r} must match {_SCHEMA_NAME.pattern}")
    engine = create_async_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"server_settings": {"search_path": schema, "application_name": schema}},
    )
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """Test a pooled connection before use only when it sat idle for a while.

    SQLAlchemy's `pool_pre_ping` tests every checkout with three round trips (begin, a query,
    rollback), a large share of a busy consumer's transaction. A connection used within the
    last second is lent out as it is; one idle for longer (the database may have restarted
    meanwhile) is tested, and replaced if dead. Should a fresh-looking connection turn out
    dead, the statement fails as a disconnect, which invalidates the pool and is retried as
    a transient error by its caller.
    """
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _lent(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out another (a new one if need be).
            raise exc.DisconnectionError(f"pooled connection is dead: {error}") from error


def build_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
