"""`GET /v1/sign-in/sso`, `/v1/sign-in/sso/callback`, `/v1/sign-in/methods`: single sign-on.

The browser goes to the first, on to the provider, and comes back to the callback, which sets
the same session cookies a password sign-in does and sends it on (303) to where it started.
Refusals are a 4xx naming what is wrong (unknown person, no role, expired sign-in…); an
unreachable provider is a 503.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from escalator_intake.api.sign_in import set_session_cookies
from escalator_intake.domain.single_sign_on import SsoRefusedError, safe_next
from escalator_intake.sso_sign_in import PENDING_FOR, SsoSignIn
from escalator_shared.config import CALLBACK_PATH, EscalatorConfig
from escalator_shared.http.audit_trail import FAILED_SIGN_IN_KEY, PRINCIPAL_KEY, SIGNED_IN_KEY
from escalator_shared.http.errors import ApiError

STATE_COOKIE = "escalator_sso_state"
UNNAMED = "(single sign-on)"  # who a refused sign-in was, on the audit log, before an email
_Text = Query(max_length=2048)
_T = TypeVar("_T")


def single_sign_on_router(config: EscalatorConfig, sso: SsoSignIn | None) -> APIRouter:
    """The sign-in methods, and single sign-on's two steps when a provider is configured."""
    router = APIRouter(tags=["access"])
    settings = config.single_sign_on

    @router.get("/v1/sign-in/methods")
    async def methods() -> dict[str, Any]:
        """How people sign in here, for a sign-in page (no secret in it)."""
        return {
            "password": settings is None or settings.staff_passwords,
            "client_passwords": True,
            "single_sign_on": None
            if settings is None
            else {"label": settings.label, "start": "/v1/sign-in/sso"},
        }

    def enabled() -> SsoSignIn:
        if sso is None or settings is None:
            raise ApiError(404, "sso_not_configured", "single sign-on is not configured here")
        return sso

    def callback_url(request: Request) -> str:
        assert settings is not None
        return settings.redirect_uri or str(request.url.replace(path=CALLBACK_PATH, query=""))

    @router.get("/v1/sign-in/sso", status_code=303)
    async def begin(
        request: Request, next: Annotated[str | None, _Text] = None
    ) -> RedirectResponse:
        """Send the browser to the provider; it comes back signed in, then on to `next`."""
        flow = enabled()
        redirect_uri = callback_url(request)
        target = safe_next(next, urlsplit(redirect_uri).hostname or "")
        begun = await _answering(request, flow.begin(redirect_uri, target))
        response = RedirectResponse(begun.url, status_code=303)
        response.set_cookie(
            STATE_COOKIE,
            begun.state,
            max_age=int(PENDING_FOR.total_seconds()),
            path=CALLBACK_PATH,
            secure=True,
            httponly=True,
            samesite="lax",  # sent on the provider's top-level redirect back to us
        )
        return response

    @router.get(CALLBACK_PATH, status_code=303)
    async def callback(
        request: Request,
        state: Annotated[str | None, _Text] = None,
        code: Annotated[str | None, _Text] = None,
        error: Annotated[str | None, _Text] = None,
        error_description: Annotated[str | None, _Text] = None,
    ) -> RedirectResponse:
        """Where the provider sends the browser back: a session, then on to where it began."""
        flow = enabled()
        if error is not None:
            setattr(request.state, FAILED_SIGN_IN_KEY, UNNAMED)
            detail = f": {error_description}" if error_description else ""
            raise ApiError(
                401, "sso_refused", f"the provider did not sign you in ({error}){detail}"
            )
        if not state or not code:
            raise ApiError(
                400, "sso_incomplete", "the callback needs the provider's state and code"
            )
        cookie = request.cookies.get(STATE_COOKIE, "")
        if not secrets.compare_digest(cookie.encode(), state.encode()):
            setattr(request.state, FAILED_SIGN_IN_KEY, UNNAMED)
            raise ApiError(
                400,
                "sso_other_browser",
                "this sign-in was started in another browser (or its cookie has expired): "
                "start signing in again here",
            )
        session, target = await _answering(request, flow.finish(state, code), audited=True)
        setattr(request.state, PRINCIPAL_KEY, session.principal)
        setattr(request.state, SIGNED_IN_KEY, True)
        response = RedirectResponse(target, status_code=303)
        set_session_cookies(response, session)
        response.delete_cookie(STATE_COOKIE, path=CALLBACK_PATH, secure=True, httponly=True)
        return response

    return router


async def _answering(request: Request, step: Awaitable[_T], *, audited: bool = False) -> _T:
    """Await a step, turning a refusal into its 4xx (or 503); `audited`: a refused sign-in,
    noted on the audit log."""
    try:
        return await step
    except SsoRefusedError as exc:
        if audited:
            setattr(request.state, FAILED_SIGN_IN_KEY, exc.email or UNNAMED)
        raise ApiError(exc.status, exc.code, exc.message) from exc
