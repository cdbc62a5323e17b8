"""Alembic environment shared by every service; `escalator_shared.db.migrations` drives it."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
schema = context.config.attributes["schema"]
context.configure(connection=connection, version_table_schema=schema)
with context.begin_transaction():
    context.run_migrations()
