"""What a request for a new API token may ask for: pure rules every issuer applies.

A caller issues tokens for themselves, never wider than the access they act with now (a narrow
token cannot mint a wider one); an admin may issue for any configured person or client contact,
never wider than that holder's own access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from escalator_shared.access.policy import ROLE_RANK, Permission, may
from escalator_shared.access.principal import Principal
from escalator_shared.config.access import StaffRole

DEFAULT_LIFETIME = timedelta(days=90)
LONGEST_LIFETIME = timedelta(days=366)


class TokenRequestError(ValueError):
    """The request asks for more than its holder has, or names nobody."""


@dataclass(frozen=True)
class TokenRequest:
    """A new token: its name, its holder (None: the caller), scope and expiry."""

    name: str
    person: str | None = None
    contact: str | None = None
    role: StaffRole | None = None
    clients: list[str] | None = None
    expires_at: datetime | None = None


def holder_of(caller: Principal, wanted: TokenRequest) -> tuple[str | None, str | None]:
    """(person, contact) the token will act for; TokenRequestError unless the caller may."""
    if wanted.person is None and wanted.contact is None:
        return (None, caller.person) if caller.is_contact else (caller.person, None)
    if wanted.person is not None and wanted.contact is not None:
        raise TokenRequestError("name at most one of person and contact")
    own = wanted.contact == caller.person if caller.is_contact else wanted.person == caller.person
    if not own and not may(caller, Permission.ADMINISTER):
        raise PermissionError("only admins issue tokens for other people")
    return wanted.person, wanted.contact


def check_scope(limit: Principal, wanted: TokenRequest) -> None:
    """The role and clients asked for must lie within `limit` (the holder, or the caller)."""
    if wanted.role is not None:
        if limit.is_contact:
            raise TokenRequestError("a client contact's token takes its client's access")
        if ROLE_RANK[wanted.role] > ROLE_RANK[limit.role]:
            raise TokenRequestError(f"role {wanted.role!r} exceeds {limit.role!r}")
    if wanted.clients is not None:
        outside = sorted(c for c in wanted.clients if not limit.sees(c))
        if outside:
            raise TokenRequestError(f"clients outside the holder's access: {', '.join(outside)}")


def expiry(wanted: TokenRequest, now: datetime) -> datetime:
    """When the token expires: as asked (in the future, within a year), else in 90 days."""
    if wanted.expires_at is None:
        return now + DEFAULT_LIFETIME
    if wanted.expires_at.tzinfo is None:
        raise TokenRequestError("expires_at needs a UTC offset, e.g. 2027-03-01T00:00:00Z")
    if wanted.expires_at <= now:
        raise TokenRequestError("expires_at is in the past")
    if wanted.expires_at > now + LONGEST_LIFETIME:
        raise TokenRequestError(f"a token lives at most {LONGEST_LIFETIME.days} days")
    return wanted.expires_at
