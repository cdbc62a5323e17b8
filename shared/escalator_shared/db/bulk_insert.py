"""Many rows into one table with PostgreSQL's COPY, inside the session's open transaction.

An executemany INSERT through asyncpg runs one statement per row; COPY sends every row in one
stream, which costs both Python and PostgreSQL several times less for the batches the consumers
and the SLA timer write (outbox, logs, clocks). For rows nothing reads back (no RETURNING, no
ON CONFLICT).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table, literal, select
from sqlalchemy.ext.asyncio import AsyncSession


async def copy_rows(session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (each with the same keys) into `table` in the session's transaction.

    Columns left out take their defaults; JSON columns take the value to serialise.
    """
    if not rows:
        return
    names = list(rows[0])
    if any(len(row) != len(names) for row in rows):
        raise ValueError(f"rows for {table.name} must all have the columns {names}")
    values = itemgetter(*names)
    records = [values(row) for row in rows]
    if len(names) == 1:
        records = [(value,) for value in records]
    json_columns = [i for i, name in enumerate(names) if isinstance(table.c[name].type, JSON)]
    if json_columns:
        records = [_with_json(record, json_columns) for record in records]
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    if driver is None:
        raise RuntimeError("the session's connection is closed")
    if not driver.is_in_transaction():
        # SQLAlchemy's asyncpg adapter begins the transaction with the first statement it runs;
        # COPY on the driver before that would commit on its own.
        await session.execute(select(literal(1)))
        if not driver.is_in_transaction():
            raise RuntimeError(f"COPY into {table.name} outside a transaction refused")
    # The table is unqualified: the connection's search_path is the service's schema.
    await driver.copy_records_to_table(table.name, columns=names, records=records)


def _with_json(record: tuple[Any, ...], positions: list[int]) -> tuple[Any, ...]:
    encoded = list(record)
    for position in positions:
        encoded[position] = json.dumps(encoded[position])
    return tuple(encoded)
