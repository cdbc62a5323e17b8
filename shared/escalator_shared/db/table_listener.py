"""Wakes a polling loop when another transaction commits new rows to a table (LISTEN/NOTIFY).

A table that wants this gets a statement trigger (`notify_on_insert_sql`) that calls
`pg_notify('<schema>.<table>', '')`; PostgreSQL delivers the notification when the inserting
transaction commits, to every connection listening on that channel, in this process or another.
`TableListener` holds one such connection and calls `on_insert` for each notification.

It only saves the wait for the next poll: the loop it wakes keeps polling, so a notification
lost while the connection is down (a database restart) costs at most one poll interval, and
the listener wakes the loop once whenever it (re)connects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg
from sqlalchemy.engine import make_url

from escalator_shared.errors import is_transient
from escalator_shared.outages import Outage

log = logging.getLogger(__name__)

_RECONNECT_SECONDS = 1.0
_CHECK_SECONDS = 15.0


def channel_name(schema: str, table: str) -> str:
    """The notification channel of `table` in `schema`."""
    return f"{schema}.{table}"


def notify_on_insert_sql(table: str) -> list[str]:
    """DDL (for a migration run with the service's schema first in the search path): a
    statement trigger that notifies the table's channel after every INSERT."""
    function = f"{table}_notify_insert"
    return [
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify(TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, '');
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE TRIGGER {table}_inserted AFTER INSERT ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {function}()
        """,
    ]


def drop_notify_on_insert_sql(table: str) -> list[str]:
    """DDL undoing `notify_on_insert_sql`."""
    return [
        f"DROP TRIGGER IF EXISTS {table}_inserted ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_notify_insert()",
    ]


class TableListener:
    """Background task: LISTEN on one table's channel and call `on_insert` per notification."""

    def __init__(
        self, database_url: str, schema: str, table: str, on_insert: Callable[[], None]
    ) -> None:
        self._dsn = (
            make_url(database_url)
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
        self._channel = channel_name(schema, table)
        self.application_name = f"{schema} listener"[:63]
        self._on_insert = on_insert
        self._stopping = asyncio.Event()
        self.listening = asyncio.Event()

    async def run(self) -> None:
        """Listen until `stop()`, reconnecting after the database went away."""
        outage = Outage(f"listener on {self._channel}", first_pause=_RECONNECT_SECONDS)
        while not self._stopping.is_set():
            pause = _RECONNECT_SECONDS
            try:
                await self._listen_once(outage)
            except Exception as exc:  # only a shortcut: any failure falls back to polling
                if is_transient(exc):
                    pause = outage.failed(exc)  # a database restart: one warning, not one a second
                else:
                    log.warning("listener on %s reconnecting: %r", self._channel, exc)
            self.listening.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=pause)

    def stop(self) -> None:
        """End the loop and close the connection."""
        self._stopping.set()

    async def _listen_once(self, outage: Outage) -> None:
        connection = await asyncpg.connect(
            self._dsn, timeout=10, server_settings={"application_name": self.application_name}
        )
        outage.over()
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _: lost.set())
        try:
            await connection.add_listener(self._channel, self._notified)
            self.listening.set()
            self._on_insert()  # rows committed while nobody listened
            while not self._stopping.is_set() and not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_either(self._stopping, lost), timeout=_CHECK_SECONDS)
                if not self._stopping.is_set():
                    # A connection the server closed, or dropped without a word, fails here.
                    await connection.fetchval("SELECT 1", timeout=10)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=5)

    def _notified(self, *_: object) -> None:
        self._on_insert()


async def _either(first: asyncio.Event, second: asyncio.Event) -> None:
    """Return once either event is set."""
    waits = [asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
