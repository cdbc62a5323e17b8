"""The api_tokens table: issued tokens' digests and state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_intake.tables import api_tokens

# What the API shows of a token: everything but its digest.
SHOWN = tuple(c for c in api_tokens.c if c.name != "token_sha256")


async def insert(session: AsyncSession, row: dict[str, Any]) -> None:
    """Keep a newly issued token."""
    await session.execute(api_tokens.insert().values(row))


async def get_for_update(session: AsyncSession, token_id: str) -> dict[str, Any] | None:
    """The token's whole row, locked."""
    query = select(api_tokens).where(api_tokens.c.id == token_id).with_for_update()
    row = (await session.execute(query)).first()
    return dict(row._mapping) if row else None


async def by_digest_for_update(session: AsyncSession, digest: str) -> dict[str, Any] | None:
    """The token with this digest, locked."""
    query = select(api_tokens).where(api_tokens.c.token_sha256 == digest).with_for_update()
    row = (await session.execute(query)).first()
    return dict(row._mapping) if row else None


async def change(session: AsyncSession, token_id: str, values: dict[str, Any]) -> None:
    """Change its state (revoked, a session's new expiry)."""
    await session.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(values))


def listing(person: str | None, contact: str | None, everyone: bool) -> Select[Any]:
    """Tokens newest first: of that holder, or of everyone."""
    query = select(*SHOWN).order_by(api_tokens.c.issued_at.desc())
    if not everyone:
        query = query.where(
            api_tokens.c.contact == contact if contact else api_tokens.c.person == person
        )
    elif person is not None:
        query = query.where(api_tokens.c.person == person)
    return query


async def rows(session: AsyncSession, query: Select[Any]) -> list[dict[str, Any]]:
    """The listing's rows as dictionaries."""
    return [dict(r._mapping) for r in await session.execute(query)]
