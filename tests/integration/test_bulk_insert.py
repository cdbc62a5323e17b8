"""COPY-based bulk inserts: in the session's transaction, defaults, JSON, one shape of row."""

from __future__ import annotations

import pytest
from sqlalchemy import BigInteger, Column, Identity, MetaData, Table, Text, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine

from escalator_shared.db.bulk_insert import copy_rows
from escalator_shared.db.engine import build_session_factory

pytestmark = pytest.mark.integration

_notes = Table(
    "bulk_notes",
    MetaData(),
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("body", Text, nullable=False),
    Column("detail", JSONB, nullable=False),
    Column("kind", Text, nullable=False, server_default="note"),
)


@pytest.fixture
async def notes(engine: AsyncEngine) -> Table:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE TABLE bulk_notes (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                " body TEXT NOT NULL, detail JSONB NOT NULL, kind TEXT NOT NULL DEFAULT 'note')"
            )
        )
    return _notes


async def test_rows_are_copied_with_json_and_defaults_in_the_open_transaction(
    engine: AsyncEngine, notes: Table
) -> None:
    factory = build_session_factory(engine)
    rows = [{"body": f"n{i}", "detail": {"i": i, "tags": ["a", "é"]}} for i in range(3)]
    async with factory() as session, session.begin():
        await copy_rows(session, notes, rows)
        seen = (await session.execute(select(notes).order_by(notes.c.id))).all()
    assert [(r.body, r.detail, r.kind) for r in seen] == [
        (f"n{i}", {"i": i, "tags": ["a", "é"]}, "note") for i in range(3)
    ]


async def test_a_rolled_back_transaction_keeps_none_of_the_copied_rows(
    engine: AsyncEngine, notes: Table
) -> None:
    factory = build_session_factory(engine)
    async with factory() as session:
        await session.begin()
        await copy_rows(session, notes, [{"body": "gone", "detail": {}}])
        await session.rollback()
    async with factory() as session:
        assert (await session.execute(select(notes))).all() == []


async def test_rows_of_different_shapes_are_refused_by_name(
    engine: AsyncEngine, notes: Table
) -> None:
    factory = build_session_factory(engine)
    async with factory() as session, session.begin():
        with pytest.raises(ValueError, match="bulk_notes must all have the columns"):
            await copy_rows(session, notes, [{"body": "a", "detail": {}}, {"body": "b"}])
