"""Who is looking: the backends' answer to GET /v1/me, with the names and zone the
configuration gives them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request

from escalator_console.backends import Answer, Backends, Viewer
from escalator_console.domain.local_time import zone_named
from escalator_console.pages.rendering import PageError, SignInNeededError
from escalator_shared.access.sessions import CSRF_COOKIE, SESSION_COOKIE
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import utc_now

ZONE_COOKIE = "escalator_tz"  # the browser's own zone, set by console.js
STAFF_ROLES = ("technician", "manager", "admin")


@dataclass(frozen=True)
class Identity:
    """The signed-in person as the pages need them."""

    viewer: Viewer
    person: str | None
    role: str
    clients: list[str] | None
    name: str
    teams: list[str]
    zone: ZoneInfo
    csrf: str

    @property
    def is_staff(self) -> bool:
        """Technicians, managers and admins (not client contacts)."""
        return self.role in STAFF_ROLES

    @property
    def is_manager(self) -> bool:
        """Managers and admins."""
        return self.role in ("manager", "admin")


class Identities:
    """Turns a browser request into the signed-in person (or a redirect to sign in)."""

    def __init__(self, config: EscalatorConfig, backends: Backends) -> None:
        self._people = {p.id: p for p in config.people}
        self._teams: dict[str, list[str]] = {}
        for team in config.teams:
            for member in team.members:
                self._teams.setdefault(member, []).append(team.id)
        self._backends = backends

    async def me(self, request: Request) -> Identity:
        """The viewer, asked of intake; SignInNeededError without a valid session."""
        viewer = viewer_of(request)
        if viewer.session is None:
            raise SignInNeededError(_here(request))
        answer = await self._backends.get("intake", "/v1/me", viewer)
        if answer.status == 401:
            raise SignInNeededError(_here(request))
        body = expect_ok(answer, "who you are")
        person = body.get("person")
        profile = self._people.get(person) if isinstance(person, str) else None
        zone = zone_named(request.cookies.get(ZONE_COOKIE), profile.time_zone if profile else "UTC")
        return Identity(
            viewer=viewer,
            person=person,
            role=str(body.get("role")),
            clients=body.get("clients"),
            name=profile.name if profile else str(person or body.get("label") or ""),
            teams=self._teams.get(person, []) if isinstance(person, str) else [],
            zone=zone,
            csrf=request.cookies.get(CSRF_COOKIE, ""),
        )

    def context(self, identity: Identity, **values: Any) -> dict[str, Any]:
        """What every signed-in page's template gets."""
        return {"me": identity, "zone": identity.zone, "now": utc_now(), **values}


def viewer_of(request: Request, csrf: str | None = None) -> Viewer:
    """The request's session cookie and address, and the CSRF token a form carried."""
    address = request.client.host if request.client else "unknown"
    return Viewer(request.cookies.get(SESSION_COOKIE), address, csrf)


def expect_ok(answer: Answer, what: str) -> Any:
    """The body of a 2xx answer; a PageError naming the refusal otherwise."""
    if answer.ok:
        return answer.body
    titles = {403: "Not allowed", 404: "Not found", 409: "Already done", 410: "Expired"}
    raise PageError(
        answer.status, titles.get(answer.status, f"Could not load {what}"), answer.message
    )


def sign_in_location(next_path: str) -> str:
    """The sign-in page that returns to `next_path` afterwards."""
    return "/sign-in?next=" + quote(next_path, safe="/")


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")
