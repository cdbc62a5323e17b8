"""`/v1/tokens`: API tokens for automation, issued, listed and revoked through the API.

Anyone signed in manages their own (never wider than the access they act with); admins manage
everyone's. A revoked or expired token stops working on every service within moments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from escalator_intake.token_commands import TokenCommands, TokenNotFoundError
from escalator_shared.access import Permission, may
from escalator_shared.access.token_rules import TokenRequest, TokenRequestError
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authorize
from escalator_shared.http.errors import ApiError


class NewToken(BaseModel):
    """A token to issue."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    person: str | None = Field(default=None, description="Admins only: whom it acts for.")
    contact: str | None = Field(default=None, description="Admins only: a client contact.")
    role: Literal["technician", "manager", "admin"] | None = None
    clients: list[str] | None = None
    expires_at: datetime | None = Field(default=None, description="Default: in 90 days.")


def tokens_router(config: EscalatorConfig, commands: TokenCommands) -> APIRouter:
    """The token endpoints."""
    router = APIRouter(tags=["access"])

    @router.post("/v1/tokens", status_code=201)
    async def issue(request: Request, body: NewToken) -> dict[str, Any]:
        """The token (shown this once: keep it) and its record."""
        caller = authorize(config, request, Permission.READ)
        try:
            record, token = await commands.issue(caller, TokenRequest(**body.model_dump()))
        except PermissionError as exc:
            raise ApiError(403, "forbidden", str(exc)) from exc
        except TokenRequestError as exc:
            raise ApiError(422, "invalid_token_request", str(exc)) from exc
        return {"token": token, **record}

    @router.get("/v1/tokens")
    async def listing(
        request: Request, everyone: bool = False, person: str | None = None
    ) -> dict[str, Any]:
        """The caller's tokens; `everyone=true` (admins) lists all, or `person`'s."""
        caller = authorize(config, request, Permission.READ)
        if (everyone or person) and not may(caller, Permission.ADMINISTER):
            raise ApiError(403, "forbidden", "only admins list other people's tokens")
        everyone = everyone or person is not None
        return {"tokens": await commands.listing(caller, everyone, person)}

    @router.delete("/v1/tokens/{token_id}")
    async def revoke(token_id: str, request: Request) -> dict[str, Any]:
        """Revoke it: every service refuses it within moments (idempotent)."""
        caller = authorize(config, request, Permission.READ)
        try:
            return await commands.revoke(caller, token_id, may(caller, Permission.ADMINISTER))
        except TokenNotFoundError as exc:
            raise ApiError(404, "token_not_found", f"no token {token_id!r} of yours") from exc

    return router
