"""Running a service's Alembic migrations into its own schema at start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

_ENVIRONMENT = Path(__file__).parent / "alembic"


async def migrate(engine: AsyncEngine, schema: str, versions: Path) -> None:
    """Create the schema if needed and upgrade it to head; concurrent starters wait in turn."""
    async with engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": schema})
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        await conn.run_sync(_upgrade, schema, versions)


def _upgrade(connection: Connection, schema: str, versions: Path) -> None:
    config = Config()
    config.set_main_option("script_location", str(_ENVIRONMENT))
    config.set_main_option("version_locations", str(versions))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    config.attributes["schema"] = schema
    command.upgrade(config, "head")
