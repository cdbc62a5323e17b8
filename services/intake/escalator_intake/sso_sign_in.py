"""Signing in through the OpenID Connect provider: begin (send the browser there), finish
(take the code back, check who it is, start the same session a password gives).

The state travels in the URL and in a cookie of the browser that began, so a callback link
someone else started cannot sign this browser in (login CSRF). The PKCE verifier and nonce wait
in the database, so any intake instance can finish, and each sign-in finishes at most once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import delete, insert

from escalator_intake.domain.single_sign_on import (
    SsoRefusedError,
    groups_in,
    role_for,
    verified_email,
)
from escalator_intake.oidc_client import OidcClient
from escalator_intake.sign_in import Session, SignIn
from escalator_intake.tables import sso_logins
from escalator_shared.config import EscalatorConfig, SingleSignOn, token_digest
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import utc_now

PENDING_FOR = timedelta(minutes=10)  # time to sign in at the provider


@dataclass(frozen=True)
class Begun:
    """Where to send the browser, and the state its cookie keeps."""

    url: str
    state: str


class SsoSignIn:
    """Single sign-on for staff configured as people."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        config: EscalatorConfig,
        sso: SingleSignOn,
        provider: OidcClient,
        sessions: SignIn,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._config = config
        self._sso = sso
        self._provider = provider
        self._sessions = sessions
        self._people = {p.email.lower(): p.id for p in config.people}

    async def begin(self, redirect_uri: str, next_path: str) -> Begun:
        """A new sign-in at the provider, coming back to `next_path`."""
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters: within PKCE's 43-128
        url = await self._provider.authorization_url(redirect_uri, state, nonce, verifier)
        now = utc_now()
        async with self._unit_of_work() as uow:
            await uow.session.execute(delete(sso_logins).where(sso_logins.c.expires_at <= now))
            await uow.session.execute(
                insert(sso_logins).values(
                    state_sha256=token_digest(state),
                    nonce=nonce,
                    code_verifier=verifier,
                    redirect_uri=redirect_uri,
                    next=next_path,
                    expires_at=now + PENDING_FOR,
                )
            )
        return Begun(url, state)

    async def finish(self, state: str, code: str) -> tuple[Session, str]:
        """The session for the person the provider signed in, and where to go next."""
        now = utc_now()
        async with self._unit_of_work() as uow:
            taken = await uow.session.execute(
                delete(sso_logins)
                .where(sso_logins.c.state_sha256 == token_digest(state))
                .returning(*sso_logins.c)
            )
            pending = taken.first()
        if pending is None or pending.expires_at <= now:
            raise SsoRefusedError(
                400,
                "sso_expired",
                "this sign-in has expired or was already used: start signing in again",
            )
        claims = await self._provider.identity(
            code, pending.redirect_uri, pending.code_verifier, pending.nonce
        )
        email = verified_email(claims)
        person = self._people.get(email)
        if person is None:
            raise SsoRefusedError(
                403, "sso_unknown_person", f"{email} is not among the configured people", email
            )
        groups = groups_in(claims, self._sso.groups_claim)
        role = role_for(groups, self._sso.roles)
        if role is None:
            raise SsoRefusedError(
                403,
                "sso_no_role",
                f"none of {email}'s groups at the provider ({', '.join(groups) or 'none'}) "
                "grants a role here",
                email,
            )
        holder = self._config.access.narrowed(person, None, None, None)
        assert holder is not None  # a configured person
        principal = replace(holder, role=role)
        async with self._unit_of_work() as uow:
            session = await self._sessions.start_session(uow, principal, now, by_provider=True)
        return session, str(pending.next)
