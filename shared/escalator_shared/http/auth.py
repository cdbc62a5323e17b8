"""Who is calling: an integration by its token, or a staff member by theirs (constant-time)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Request

from escalator_shared.config import EscalatorConfig
from escalator_shared.http.errors import ApiError


@dataclass(frozen=True)
class StaffMember:
    """An authenticated staff caller."""

    person: str
    role: str


def presented_token(request: Request) -> str | None:
    """`Authorization: Bearer …`, or `?token=` for senders that cannot set headers."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query_params.get("token")


def authenticate_staff(config: EscalatorConfig, request: Request) -> StaffMember:
    """The staff member whose API token the caller presents."""
    token = presented_token(request)
    if token is None:
        raise ApiError(
            401,
            "missing_token",
            "send a staff API token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    match = None
    for candidate in config.staff_tokens:
        # Compare against every token so the time taken does not reveal which one matched.
        if hmac.compare_digest(token.encode(), candidate.token.get_secret_value().encode()):
            match = candidate
    if match is None:
        raise ApiError(
            401,
            "invalid_token",
            "the staff API token is not valid",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return StaffMember(person=match.person, role=match.role)
