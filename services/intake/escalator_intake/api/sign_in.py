"""`POST /v1/sign-in`, `/v1/session/refresh`, `/v1/sign-out`: password sign-in and sessions;
`GET /v1/me`: who the caller is.

The session cookie is Secure, HttpOnly and SameSite=Lax; the CSRF cookie is readable by our
pages (not HttpOnly) and SameSite=Strict. Cookies belong to the host, so every service of it
receives them (`escalator_shared.access.sessions`).
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from escalator_intake.sign_in import Session, SignIn, SignInRefusedError
from escalator_shared.access import Permission
from escalator_shared.access.sessions import (
    ABSOLUTE_TIMEOUT,
    CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_token,
)
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import utc_now
from escalator_shared.http.audit_trail import FAILED_SIGN_IN_KEY, PRINCIPAL_KEY
from escalator_shared.http.auth import authorize
from escalator_shared.http.errors import ApiError


class Credentials(BaseModel):
    """An email address and password."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


def sign_in_router(config: EscalatorConfig, sign_in: SignIn) -> APIRouter:
    """The sign-in endpoints."""
    router = APIRouter(tags=["access"])

    @router.post("/v1/sign-in")
    async def start(request: Request, response: Response, body: Credentials) -> dict[str, Any]:
        """A session (cookies) and the CSRF token; 401 for a wrong email or password, 429
        while locked after repeated failures."""
        source = request.client.host if request.client else "unknown"
        try:
            session = await sign_in.sign_in(body.email, body.password, source)
        except SignInRefusedError as exc:
            setattr(request.state, FAILED_SIGN_IN_KEY, body.email.strip().lower())
            if exc.retry_at is not None:
                wait = max(1, math.ceil((exc.retry_at - utc_now()).total_seconds()))
                raise ApiError(
                    429,
                    "locked",
                    "too many failed sign-ins: try again later",
                    headers={"Retry-After": str(wait)},
                ) from exc
            raise ApiError(401, "sign_in_failed", "wrong email or password") from exc
        setattr(request.state, PRINCIPAL_KEY, session.principal)
        csrf = set_session_cookies(response, session)
        principal = session.principal
        return {
            "person": principal.person,
            "role": principal.role,
            "clients": sorted(principal.clients) if principal.clients is not None else None,
            "expires_at": session.expires_at,
            "csrf_token": csrf,
        }

    @router.get("/v1/me")
    async def me(request: Request) -> dict[str, Any]:
        """Who the caller is: person (or contact email), role, clients (null: every one)."""
        principal = authorize(config, request, Permission.READ)
        return {
            "person": principal.person,
            "role": principal.role,
            "clients": sorted(principal.clients) if principal.clients is not None else None,
            "label": principal.label,
            "token": principal.token,
        }

    @router.post("/v1/session/refresh")
    async def refresh(request: Request) -> dict[str, Any]:
        """Keep the session alive (the idle timeout starts again; the absolute one stands)."""
        authorize(config, request, Permission.READ)
        expires_at = await sign_in.refresh(_session_of(request))
        return {"expires_at": expires_at}

    @router.post("/v1/sign-out")
    async def stop(request: Request, response: Response) -> dict[str, str]:
        """End the session on every service and clear its cookies."""
        authorize(config, request, Permission.READ)
        await sign_in.sign_out(_session_of(request))
        response.delete_cookie(SESSION_COOKIE, secure=True, httponly=True, samesite="lax")
        response.delete_cookie(CSRF_COOKIE, secure=True, samesite="strict")
        return {"status": "signed out"}

    return router


def set_session_cookies(response: Response, session: Session) -> str:
    """Give the browser the session and its CSRF token (returned, for pages to send back)."""
    max_age = int(ABSOLUTE_TIMEOUT.total_seconds())
    response.set_cookie(
        SESSION_COOKIE, session.token, max_age=max_age, secure=True, httponly=True, samesite="lax"
    )
    csrf = csrf_token(session.token)
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, secure=True, httponly=False, samesite="strict"
    )
    return csrf


def _session_of(request: Request) -> str:
    token = request.cookies.get(SESSION_COOKIE)
    if token is None:
        raise ApiError(400, "no_session", "this request carries no session cookie")
    return token
