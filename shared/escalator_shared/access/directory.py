"""Everyone who may call the APIs, built once from the configuration: token digest → caller."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from escalator_shared.access.issued_tokens import IssuedTokens
from escalator_shared.access.policy import ROLE_RANK
from escalator_shared.access.principal import Principal
from escalator_shared.config.access import ApiToken, StaffRole, token_digest

if TYPE_CHECKING:
    from escalator_shared.config.model import EscalatorConfig, Person


@dataclass(frozen=True)
class _Grant:
    principal: Principal
    expires_at: datetime | None


class AccessDirectory:
    """Staff and client contacts, and the API tokens that act for them."""

    def __init__(self, config: EscalatorConfig) -> None:
        self._staff = {p.id: staff_principal(p) for p in config.people}
        self._contacts = {
            contact.email.lower(): Principal(contact.email, "client", frozenset({client.id}))
            for client in config.clients
            for contact in client.contacts
        }
        self._tokens = {t.digest: self._grant(t) for t in config.api_tokens}
        # Tokens issued through the API, kept current by the service's token feed.
        self.issued = IssuedTokens()

    def _grant(self, token: ApiToken) -> _Grant:
        # The configuration check has made sure the holder exists and the token only narrows.
        principal = self.narrowed(token.person, token.contact, token.role, token.clients)
        assert principal is not None
        return _Grant(replace(principal, token=token.name), token.expires_at)

    def for_token(self, presented: str, now: datetime) -> Principal | None:
        """The caller a presented token acts for, None if unknown, expired or revoked."""
        # Dictionaries keyed by digest: the lookup's time says nothing about the token.
        digest = token_digest(presented)
        grant = self._tokens.get(digest) or self._issued_grant(digest)
        if grant is None:
            return None
        if grant.expires_at is not None and grant.expires_at <= now:
            return None
        return grant.principal

    def _issued_grant(self, digest: str) -> _Grant | None:
        issued = self.issued.get(digest)
        if issued is None:
            return None
        granted = issued.kind == "sso_session"
        role = None if granted else issued.role
        principal = self.narrowed(issued.person, issued.contact, role, issued.clients)
        if principal is None:
            return None
        if granted and issued.role is not None:
            # Single sign-on: the provider's groups decided the role, not the configuration.
            principal = replace(principal, role=issued.role)
        return _Grant(replace(principal, token=issued.name), issued.expires_at)

    def narrowed(
        self,
        person: str | None,
        contact: str | None,
        role: StaffRole | None,
        clients: list[str] | None,
    ) -> Principal | None:
        """The holder's own access narrowed by a token's role and clients (never widened: a
        person demoted or moved since the token was issued keeps only what they have now).
        None when the holder is no longer configured."""
        if contact is not None:
            return self._contacts.get(contact.lower())
        holder = self._staff.get(person or "")
        if holder is None:
            return None
        if role is not None and ROLE_RANK[role] < ROLE_RANK[holder.role]:
            holder = replace(holder, role=role)
        if clients is not None:
            scope = frozenset(clients)
            holder = replace(holder, clients=scope & holder.clients if holder.clients else scope)
        return holder


def staff_principal(person: Person) -> Principal:
    """A person's own role and scope (every client when the person lists none)."""
    clients = frozenset(person.clients) if person.clients else None
    return Principal(person.id, person.role, clients)
