"""Unique names per test: a database per test session, schemas and topic prefixes per test."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy.engine import make_url


def unique_suffix() -> str:
    """Eight random hex characters."""
    return uuid.uuid4().hex[:8]


def asyncpg_dsn(database_url: str) -> str:
    """The SQLAlchemy URL as a plain libpq DSN for asyncpg."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def create_database(server_url: str, name: str) -> str:
    """Create a database on the server of `server_url`; return its SQLAlchemy URL."""
    conn = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(server_url: str, name: str) -> None:
    """Drop a database made by `create_database`, even with sessions still open."""
    conn = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


# Topic prefixes handed out in this test session, so that its end can delete their topics.
ISSUED_PREFIXES: set[str] = set()


@dataclass(frozen=True)
class Namespace:
    """Names that keep one test's topics, groups and tables apart from every other test's."""

    suffix: str

    def __post_init__(self) -> None:
        ISSUED_PREFIXES.add(self.topic_prefix)

    @property
    def topic_prefix(self) -> str:
        """Prefix of every topic and consumer group of the test."""
        return f"t{self.suffix}."

    def schema(self, service: str) -> str:
        """Schema of one service's tables for the test."""
        return f"t{self.suffix}_{service.replace('-', '_')}"


async def delete_issued_topics(bootstrap: str) -> int:
    """Delete the topics of every namespace this session issued; how many were deleted.

    Without it a developer's broker keeps every test's topics and grows until it starts slowly.
    Other sessions' topics are never touched.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [
            name
            for name in await admin.list_topics()
            if any(name.startswith(prefix) for prefix in ISSUED_PREFIXES)
        ]
        for start in range(0, len(names), 100):
            await admin.delete_topics(names[start : start + 100])
    finally:
        await admin.close()
    return len(names)
