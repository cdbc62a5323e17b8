"""Signing in with an email and password, refreshing the session, signing out.

A session is an issued token of kind `session` (docs/security.md): the access topic takes it to
every service, and signing out revokes it there. Failures are counted per account and per
address; past the limit, attempts are refused until the window has passed (429), whether or
not the password is right, so guessing gets nowhere.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from escalator_intake import token_store
from escalator_intake.tables import sign_in_attempts
from escalator_intake.token_commands import announce
from escalator_shared.access import Principal
from escalator_shared.access.passwords import password_matches
from escalator_shared.access.sessions import (
    FAILURE_WINDOW,
    FAILURES_ALLOWED,
    locked_until,
    session_expiry,
)
from escalator_shared.config import EscalatorConfig, token_digest
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import new_id, utc_now

# Checked when the email names nobody, so an unknown account takes as long as a known one.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
    "Xp0mIU0Ld8kAU4vPqoD6Zcd2V4EoQWvW7Ozr1u2mCmU"
)
_PER_ADDRESS = FAILURES_ALLOWED * 10
SESSION_KINDS = ("session", "sso_session")


class SignInRefusedError(Exception):
    """Wrong email or password (one answer for both), or locked until `retry_at`."""

    def __init__(self, retry_at: datetime | None = None) -> None:
        super().__init__("locked" if retry_at else "wrong email or password")
        self.retry_at = retry_at


@dataclass(frozen=True)
class Session:
    """A new session: its cookie value, the person and when it lapses unless used."""

    token: str
    principal: Principal
    expires_at: datetime


def password_accounts(
    config: EscalatorConfig,
) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Lower-cased email → (password hash, person id, contact email): staff by their email
    (with no hash when single sign-on turns staff passwords off), client contacts by theirs."""
    sso = config.single_sign_on
    staff_passwords = sso is None or sso.staff_passwords
    accounts: dict[str, tuple[str | None, str | None, str | None]] = {
        p.email.lower(): (p.password_hash if staff_passwords else None, p.id, None)
        for p in config.people
    }
    for client in config.clients:
        for contact in client.contacts:
            accounts[contact.email.lower()] = (contact.password_hash, None, contact.email)
    return accounts


class SignIn:
    """Password sign-in and sessions."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork], config: EscalatorConfig) -> None:
        self._unit_of_work = unit_of_work
        self._config = config
        self._hashes = password_accounts(config)

    async def sign_in(self, email: str, password: str, source: str) -> Session:
        """A session for the account, or SignInRefusedError."""
        email = email.strip().lower()
        now = utc_now()
        async with self._unit_of_work() as uow:
            retry_at = await self._lock(uow, email, source, now)
        if retry_at is not None:
            raise SignInRefusedError(retry_at)
        stored, person, contact = self._hashes.get(email, (None, None, None))
        matched = await asyncio.to_thread(password_matches, stored or _DUMMY_HASH, password)
        principal = self._config.access.narrowed(person, contact, None, None) if matched else None
        async with self._unit_of_work() as uow:
            await uow.session.execute(
                insert(sign_in_attempts).values(
                    email=email, source=source, at=now, succeeded=principal is not None
                )
            )
            if principal is not None and stored is not None:
                return await self.start_session(uow, principal, now)
        # Raised after the commit, so the failed attempt counts towards the lock.
        raise SignInRefusedError()

    async def _lock(
        self, uow: UnitOfWork, email: str, source: str, now: datetime
    ) -> datetime | None:
        since = now - FAILURE_WINDOW
        failed = ~sign_in_attempts.c.succeeded & (sign_in_attempts.c.at > since)
        by_account = select(sign_in_attempts.c.at).where(failed, sign_in_attempts.c.email == email)
        by_source = select(sign_in_attempts.c.at).where(failed, sign_in_attempts.c.source == source)
        account = list((await uow.session.execute(by_account)).scalars())
        address = list((await uow.session.execute(by_source)).scalars())
        locks = [
            locked_until(account, now, FAILURES_ALLOWED),
            locked_until(address, now, _PER_ADDRESS),
        ]
        return max((at for at in locks if at is not None), default=None)

    async def start_session(
        self, uow: UnitOfWork, principal: Principal, now: datetime, *, by_provider: bool = False
    ) -> Session:
        """Issue the principal a session; `by_provider`: single sign-on gave its role."""
        token = "ses_" + secrets.token_urlsafe(32)
        contact = principal.person if principal.is_contact else None
        row: dict[str, Any] = {
            "id": new_id(),
            "name": "session",
            "kind": "sso_session" if by_provider else "session",
            "person": None if contact else principal.person,
            "contact": contact,
            "role": principal.role if by_provider else None,
            "clients": None,
            "token_sha256": token_digest(token),
            "expires_at": session_expiry(now, now),
            "issued_at": now,
            "issued_by": principal.label,
            "revoked_at": None,
            "revoked_by": None,
        }
        await token_store.insert(uow.session, row)
        await announce(uow, row, principal)
        return Session(token, principal, row["expires_at"])

    async def refresh(self, token: str) -> datetime | None:
        """Push a live session's idle expiry out (never past its absolute end); None if gone."""
        return await self._change(token, revoke=False)

    async def sign_out(self, token: str) -> None:
        """Revoke the session on every service."""
        await self._change(token, revoke=True)

    async def _change(self, token: str, *, revoke: bool) -> datetime | None:
        now = utc_now()
        async with self._unit_of_work() as uow:
            row = await token_store.by_digest_for_update(uow.session, token_digest(token))
            if row is None or row["kind"] not in SESSION_KINDS or row["revoked_at"] is not None:
                return None
            if row["expires_at"] <= now:
                return None
            if revoke:
                changes = {"revoked_at": now, "revoked_by": row["issued_by"]}
            else:
                changes = {"expires_at": session_expiry(now, row["issued_at"])}
            row |= changes
            await token_store.change(uow.session, row["id"], changes)
            holder = self._config.access.narrowed(row["person"], row["contact"], None, None)
            if holder is not None:
                await announce(uow, row, holder)
            expires: datetime = row["expires_at"]
            return expires
