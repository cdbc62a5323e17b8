"""The audit trail: every state-changing request a person makes, and every failed token, on
every service, becomes a StaffActionRecorded event (intake keeps the log; GET /v1/audit).

`authenticate` leaves the caller (or the failure) in the request's state; once the app has
answered, this middleware writes the record through the service's outbox, so it reaches the
log even if Kafka is away right then. Reads are not recorded; request bodies and query strings
never are (they may hold notes or tokens).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from escalator_shared.access import Principal
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import StaffActionRecorded, utc_now

log = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PRINCIPAL_KEY = "principal"
FAILED_SIGN_IN_KEY = "failed_sign_in"  # the email address a failed sign-in named
SIGNED_IN_KEY = "signed_in"  # a sign-in that arrives as a GET (single sign-on's callback)
FAILED_TOKEN_KEY = "failed_authentication"  # noqa: S105 - a state key, not a secret


class AuditTrail:
    """ASGI middleware recording people's actions and failed tokens."""

    def __init__(self, app: ASGIApp, service: str, unit_of_work: Callable[[], UnitOfWork]) -> None:
        self._app = app
        self._service = service
        self._unit_of_work = unit_of_work

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer, then record what the request did."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        state = scope.setdefault("state", {})
        try:
            await self._app(scope, receive, send_and_note)
        finally:
            principal: Principal | None = state.get(PRINCIPAL_KEY)
            failed = bool(state.get(FAILED_TOKEN_KEY))
            attempt: str | None = state.get(FAILED_SIGN_IN_KEY)
            changed = scope["method"] not in READ_METHODS or bool(state.get(SIGNED_IN_KEY))
            if failed or attempt or (principal is not None and changed):
                await self._record(scope, principal, status, attempt)

    async def _record(
        self, scope: Scope, principal: Principal | None, status: int, attempt: str | None
    ) -> None:
        client = scope.get("client")
        if attempt is not None:
            outcome = "sign_in_failed"
        elif principal is None:
            outcome = "invalid_token"
        else:
            outcome = _outcome(status)
        record = StaffActionRecorded(
            at=utc_now(),
            service=self._service,
            person=principal.person if principal else attempt,
            role=principal.role if principal else None,
            token=principal.token if principal else None,
            source=client[0] if client else None,
            method=scope["method"],
            path=scope["path"][:500],
            status=status,
            outcome=outcome,
        )
        try:
            async with self._unit_of_work() as uow:
                await uow.emit(record, ticket_id=record.person or "unknown", client_id="")
        except Exception:
            # The answer has gone; a record that cannot be written is reported, loudly.
            log.exception("audit record not written: %s", record.model_dump_json())


def _outcome(status: int) -> Literal["done", "refused", "failed"]:
    if status < 400:
        return "done"
    return "refused" if status < 500 else "failed"
