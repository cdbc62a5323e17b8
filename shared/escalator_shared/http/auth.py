"""Who is calling: a staff member or client contact by their API token, and what they may do.

Every service answers the same way: 401 without a valid token, 403 when the role lacks the
permission (before anything is looked up, so it says nothing of what exists), and 404 for a
record of a client the caller does not see (`hidden`), exactly as for one that does not exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from escalator_shared.access import Permission, Principal, may, who_may
from escalator_shared.access.sessions import CSRF_HEADER, SESSION_COOKIE, csrf_matches
from escalator_shared.config import EscalatorConfig
from escalator_shared.events.envelope import utc_now
from escalator_shared.http.audit_trail import FAILED_TOKEN_KEY, PRINCIPAL_KEY, READ_METHODS
from escalator_shared.http.errors import ApiError


def presented_token(request: Request) -> str | None:
    """`Authorization: Bearer …`, or `?token=` for senders that cannot set headers."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query_params.get("token")


def authenticate(config: EscalatorConfig, request: Request) -> Principal:
    """The caller whose API token (or session cookie) the request presents; 401 if none is
    valid, 403 when a cookie-borne request that changes something lacks its CSRF token."""
    token = presented_token(request)
    from_cookie = token is None and SESSION_COOKIE in request.cookies
    if from_cookie:
        token = request.cookies[SESSION_COOKIE]
    if token is None:
        raise ApiError(
            401,
            "missing_token",
            "send an API token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    principal = config.access.for_token(token, utc_now())
    if principal is None:
        setattr(request.state, FAILED_TOKEN_KEY, True)
        raise ApiError(
            401,
            "invalid_token",
            "the API token is not valid (unknown, expired or revoked)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    unsafe = from_cookie and request.method not in READ_METHODS
    if unsafe and not csrf_matches(token, request.headers.get(CSRF_HEADER)):
        raise ApiError(
            403,
            "csrf_failed",
            "a signed-in request that changes something needs the X-CSRF-Token header "
            "(the escalator_csrf cookie's value)",
        )
    setattr(request.state, PRINCIPAL_KEY, principal)
    return principal


def authorize(config: EscalatorConfig, request: Request, permission: Permission) -> Principal:
    """The caller, if their role grants the permission; else 401 or 403."""
    principal = authenticate(config, request)
    if not may(principal, permission):
        raise ApiError(
            403, "forbidden", f"only {who_may(permission)} may do this ({permission.value})"
        )
    return principal


def hidden(principal: Principal, client_id: str | None, not_found: ApiError) -> None:
    """Raise the record's own 404 when it belongs to a client the caller does not see."""
    if not principal.sees(client_id):
        raise not_found


async def hidden_looked_up(
    principal: Principal, client_of: Callable[[], Awaitable[str | None]], not_found: ApiError
) -> None:
    """`hidden`, looking the record's client up (None: no such record) only for a caller
    limited to some clients: everyone else sees every record, so needs no lookup."""
    if principal.clients is not None:
        hidden(principal, await client_of(), not_found)
