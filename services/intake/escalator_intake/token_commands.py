"""Issuing and revoking API tokens: the row and its ApiTokenChanged event in one transaction.

The event travels on the compacted access topic, from which every service learns the token
(`escalator_shared.access.token_feed`); the token itself is shown once and never stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from escalator_intake import token_store
from escalator_shared.access import Principal
from escalator_shared.access.token_rules import (
    TokenRequest,
    TokenRequestError,
    check_scope,
    expiry,
    holder_of,
)
from escalator_shared.config import EscalatorConfig, token_digest
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import ApiTokenChanged, new_id, utc_now

_TOKEN_BYTES = 32
_PREFIX = "esc_"  # recognisable in a leaked-secrets scan


class TokenNotFoundError(LookupError):
    """No such token, or one the caller may not see (the same answer, on purpose)."""


class TokenCommands:
    """Issue, list and revoke API tokens."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork], config: EscalatorConfig) -> None:
        self._unit_of_work = unit_of_work
        self._config = config

    async def issue(self, caller: Principal, wanted: TokenRequest) -> tuple[dict[str, Any], str]:
        """The new token's record and the token itself (shown this once)."""
        person, contact = holder_of(caller, wanted)
        own = (contact or person) == caller.person
        holder = caller if own else self._config.access.narrowed(person, contact, None, None)
        if holder is None:
            raise TokenRequestError(f"no configured person or client contact {person or contact!r}")
        check_scope(holder, wanted)
        unknown = sorted(set(wanted.clients or ()) - {c.id for c in self._config.clients})
        if unknown:
            raise TokenRequestError(f"no clients {', '.join(unknown)}")
        now = utc_now()
        token = _PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)
        role = wanted.role if wanted.role is not None or holder.is_contact else holder.role
        clients = wanted.clients
        if clients is None and holder.clients is not None and not holder.is_contact:
            clients = sorted(holder.clients)  # a narrowed caller's token stays as narrow
        row = {
            "id": new_id(),
            "name": wanted.name,
            "person": person,
            "contact": contact,
            "role": None if holder.is_contact else role,
            "clients": clients,
            "token_sha256": token_digest(token),
            "expires_at": expiry(wanted, now),
            "issued_at": now,
            "issued_by": caller.label,
            "revoked_at": None,
            "revoked_by": None,
            "kind": "token",
        }
        async with self._unit_of_work() as uow:
            await token_store.insert(uow.session, row)
            await announce(uow, row, holder)
        return _shown(row), token

    async def revoke(self, caller: Principal, token_id: str, everyone: bool) -> dict[str, Any]:
        """Revoke one of the caller's tokens (any token, for an admin); idempotent."""
        async with self._unit_of_work() as uow:
            row = await token_store.get_for_update(uow.session, token_id)
            if row is None or not (everyone or _holds(caller, row)):
                raise TokenNotFoundError(token_id)
            if row["revoked_at"] is None:
                row |= {"revoked_at": utc_now(), "revoked_by": caller.label}
                await token_store.change(
                    uow.session,
                    token_id,
                    {"revoked_at": row["revoked_at"], "revoked_by": row["revoked_by"]},
                )
                await announce(uow, row, caller)
        return _shown(row)

    async def listing(
        self, caller: Principal, everyone: bool, person: str | None
    ) -> list[dict[str, Any]]:
        """The caller's tokens; an admin's `everyone` lists all (of `person`, if given)."""
        if everyone:
            query = token_store.listing(person, None, everyone=True)
        elif caller.is_contact:
            query = token_store.listing(None, caller.person, everyone=False)
        else:
            query = token_store.listing(caller.person, None, everyone=False)
        async with self._unit_of_work() as uow:
            return await token_store.rows(uow.session, query)


def _holds(caller: Principal, row: dict[str, Any]) -> bool:
    holder: str | None = row["contact"] if caller.is_contact else row["person"]
    return holder == caller.person


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "token_sha256"}


async def announce(uow: UnitOfWork, row: dict[str, Any], holder: Principal) -> None:
    """Publish the token's whole state on the access topic (with the row's transaction)."""
    client = min(holder.clients) if holder.is_contact and holder.clients else ""
    await uow.emit(
        ApiTokenChanged(**{k: v for k, v in row.items() if k != "id"}, token_id=row["id"]),
        ticket_id=row["id"],
        client_id=client,
        message_key=row["id"],
    )
