"""Inbound mail for staff: list and inspect what arrived and what became of it; replay it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_intake import email_store
from escalator_intake.email.decisions import REPLAYABLE, EmailOutcome
from escalator_intake.email.message import EmailParseError, parse_email
from escalator_intake.mailboxes.inbox import EmailInbox
from escalator_shared.access import Permission, Principal
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authorize, hidden
from escalator_shared.http.errors import ApiError


def emails_router(
    config: EscalatorConfig,
    session_factory: async_sessionmaker[AsyncSession],
    inbox: EmailInbox,
) -> APIRouter:
    """GET /v1/emails, GET /v1/emails/{id}, GET /v1/emails/{id}/raw, POST …/replay."""
    router = APIRouter(tags=["email"])

    @router.get("/v1/emails")
    async def list_emails(
        request: Request,
        outcome: EmailOutcome | None = None,
        state: Literal["received", "processed"] | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> dict[str, Any]:
        principal = authorize(config, request, Permission.READ_INTERNAL)
        async with session_factory() as session:
            found = await email_store.list_emails(
                session,
                outcome.value if outcome else None,
                state,
                limit,
                principal.client_filter([]),
            )
        return {"emails": found}

    @router.get("/v1/emails/{email_id}")
    async def show_email(email_id: str, request: Request) -> dict[str, Any]:
        principal = authorize(config, request, Permission.READ_INTERNAL)
        row = await _load(session_factory, email_id, principal)
        view = {k: v for k, v in row._mapping.items() if k != "raw"}
        try:
            parsed = parse_email(row.raw)
        except EmailParseError as exc:
            view["parsed"] = {"error": str(exc)}
            return view
        view["parsed"] = {
            "from": parsed.from_address,
            "to": list(parsed.to),
            "cc": list(parsed.cc),
            "date": parsed.date,
            "in_reply_to": parsed.in_reply_to,
            "references": list(parsed.references),
            "body_source": parsed.body_source,
            "text": parsed.text,
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                for a in parsed.attachments
            ],
        }
        return view

    @router.get("/v1/emails/{email_id}/raw")
    async def raw_email(email_id: str, request: Request) -> Response:
        principal = authorize(config, request, Permission.READ_INTERNAL)
        row = await _load(session_factory, email_id, principal)
        return Response(content=row.raw, media_type="message/rfc822")

    @router.post("/v1/emails/{email_id}/replay", status_code=202)
    async def replay(email_id: str, request: Request) -> dict[str, str]:
        principal = authorize(config, request, Permission.MANAGE)
        row = await _load(session_factory, email_id, principal, with_raw=False)
        if not await inbox.replay(email_id):
            raise ApiError(
                409,
                "conflict",
                f"only {' or '.join(sorted(REPLAYABLE))} mail is replayed (after fixing the "
                f"configuration); this one is {row.outcome or 'not read yet'}",
            )
        return {"status": "accepted", "email_id": email_id}

    return router


async def _load(
    session_factory: async_sessionmaker[AsyncSession],
    email_id: str,
    principal: Principal,
    *,
    with_raw: bool = True,
) -> Any:
    """The message, if the caller sees its client (mail of no client: unscoped staff only)."""
    async with session_factory() as session:
        row = await email_store.get_email(session, email_id, with_raw=with_raw)
    not_found = ApiError(404, "not_found", f"no inbound email {email_id!r}")
    if row is None:
        raise not_found
    hidden(principal, row.client_id, not_found)
    return row
