"""Signing in and out: the console asks intake, then gives the browser the session cookies."""

from __future__ import annotations

import math
from http.cookies import SimpleCookie

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from escalator_console.backends import Answer, Backends, Viewer
from escalator_console.pages.forms import form_of, local_path
from escalator_console.pages.identity import viewer_of
from escalator_console.pages.rendering import Pages
from escalator_shared.access.sessions import ABSOLUTE_TIMEOUT, CSRF_COOKIE, SESSION_COOKIE
from escalator_shared.events import utc_now


def sign_in_routes(pages: Pages, backends: Backends) -> APIRouter:
    """GET and POST /sign-in, POST /sign-out."""
    router = APIRouter()

    @router.get("/sign-in")
    async def sign_in_page(request: Request, next: str = "/") -> Response:
        return pages.render(request, "sign_in.html", _form_context(local_path(next)))

    @router.post("/sign-in")
    async def sign_in(request: Request) -> Response:
        form = await form_of(request)
        next_path = local_path(form.get("next"))
        email = form.get("email")
        if not email or not form.get("password"):
            context = _form_context(next_path, email, "Enter your email address and password.")
            return pages.render(request, "sign_in.html", context, status=422)
        answer = await backends.post(
            "intake",
            "/v1/sign-in",
            viewer_of(request),
            {"email": email, "password": form.get("password")},
        )
        if not answer.ok:
            return pages.render(
                request,
                "sign_in.html",
                _form_context(next_path, email, _refusal(answer)),
                status=answer.status,
            )
        redirect = RedirectResponse(next_path, status_code=303)
        session = _give_session(redirect, answer)
        await backends.await_session(Viewer(session, viewer_of(request).address))
        return redirect

    @router.post("/sign-out")
    async def sign_out(request: Request) -> Response:
        form = await form_of(request)
        await backends.post("intake", "/v1/sign-out", viewer_of(request, form.get("csrf_token")))
        redirect = RedirectResponse("/sign-in", status_code=303)
        redirect.delete_cookie(SESSION_COOKIE, secure=True, httponly=True, samesite="lax")
        redirect.delete_cookie(CSRF_COOKIE, secure=True, samesite="strict")
        return redirect

    return router


def _form_context(next_path: str, email: str = "", problem: str | None = None) -> dict[str, object]:
    return {"now": utc_now(), "next": next_path, "email": email, "problem": problem}


def _refusal(answer: Answer) -> str:
    if answer.status == 429:
        wait = answer.headers.get("retry-after", "")
        minutes = math.ceil(int(wait) / 60) if wait.isdigit() else None
        later = f" in {minutes} min" if minutes else " later"
        return f"Too many failed sign-ins for this account: try again{later}."
    if answer.status == 401:
        return "Wrong email address or password."
    return answer.message


def _give_session(response: Response, answer: Answer) -> str:
    """Copy intake's session cookie to the browser, with the CSRF token intake returned."""
    jar: SimpleCookie = SimpleCookie()
    for header in answer.headers.get_list("set-cookie"):
        jar.load(header)
    max_age = int(ABSOLUTE_TIMEOUT.total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        jar[SESSION_COOKIE].value,
        max_age=max_age,
        secure=True,
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(
        CSRF_COOKIE,
        str(answer.body["csrf_token"]),
        max_age=max_age,
        secure=True,
        httponly=False,
        samesite="strict",
    )
    return jar[SESSION_COOKIE].value
