"""The cases API: list a ticket's cases, engage a vendor, supply missing data, record a case
opened by phone, report the vendor's answer. Routes only translate; CaseCommands acts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_shared.access import Permission, Principal
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authorize, hidden_looked_up
from escalator_shared.http.errors import ApiError
from escalator_shared.storage_text import StoredText
from escalator_vendor_gateway import case_store, ticket_store
from escalator_vendor_gateway.case_commands import CaseCommands
from escalator_vendor_gateway.domain.case_plan import CaseStatus


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EngageVendor(_Body):
    """Ask for a case with a vendor."""

    vendor: str = Field(min_length=1)
    note: StoredText = ""


class SupplyData(_Body):
    """Values of the fields the vendor requires, by field name."""

    values: dict[str, StoredText] = Field(min_length=1)


class RecordOpened(_Body):
    """The vendor's case number, as the technician got it on the phone or portal."""

    case_reference: StoredText = Field(min_length=1)


class VendorAnswer(_Body):
    """The vendor responded or resolved the case."""

    status: Literal["acknowledged", "resolved"]
    at: datetime | None = None


def cases_router(
    session_factory: async_sessionmaker[AsyncSession],
    config: EscalatorConfig,
    commands: CaseCommands,
) -> APIRouter:
    """The vendor case routes: reading for anyone who sees the ticket's client, the rest staff."""
    router = APIRouter(tags=["vendor cases"])

    async def working(request: Request, ticket_id: str) -> Principal:
        """A staff caller who sees the ticket's client; 404 for another client's ticket."""
        principal = authorize(config, request, Permission.WORK)

        async def client_of() -> str | None:
            async with session_factory() as session:
                return await ticket_store.client_of(session, ticket_id)

        await hidden_looked_up(principal, client_of, _unknown_ticket(ticket_id))
        return principal

    @router.get("/v1/vendor-cases")
    async def list_cases(request: Request, ticket_id: str) -> list[dict[str, Any]]:
        principal = authorize(config, request, Permission.READ)
        async with session_factory() as session:
            rows = await session.execute(case_store.listing(ticket_id))
            cases = [row._mapping for row in rows if principal.sees(row.client_id)]
        view = _customer_view if principal.is_contact else _view
        return [view(case) for case in cases]

    @router.post("/v1/tickets/{ticket_id}/vendor-cases", status_code=202)
    async def engage(request: Request, ticket_id: str, body: EngageVendor) -> dict[str, str]:
        staff = await working(request, ticket_id)
        await commands.request(ticket_id, body.vendor, staff.person, body.note)
        return {"ticket_id": ticket_id, "vendor": body.vendor, "status": "requested"}

    @router.post("/v1/vendor-cases/{ticket_id}/{vendor}/data")
    async def supply(
        request: Request, ticket_id: str, vendor: str, body: SupplyData
    ) -> dict[str, str]:
        await working(request, ticket_id)
        status = await commands.supply(ticket_id, vendor, body.values)
        return {"ticket_id": ticket_id, "vendor": vendor, "status": status}

    @router.post("/v1/vendor-cases/{ticket_id}/{vendor}/opened")
    async def opened(
        request: Request, ticket_id: str, vendor: str, body: RecordOpened
    ) -> dict[str, str]:
        await working(request, ticket_id)
        await commands.record_opened(ticket_id, vendor, body.case_reference)
        return {"ticket_id": ticket_id, "vendor": vendor, "status": CaseStatus.OPEN.value}

    @router.post("/v1/vendor-cases/{ticket_id}/{vendor}/answer")
    async def answer(
        request: Request, ticket_id: str, vendor: str, body: VendorAnswer
    ) -> dict[str, Any]:
        await working(request, ticket_id)
        changed = await commands.record_answer(ticket_id, vendor, CaseStatus(body.status), body.at)
        return {"ticket_id": ticket_id, "vendor": vendor, "status": body.status, "changed": changed}

    return router


def _unknown_ticket(ticket_id: str) -> ApiError:
    return ApiError(404, "unknown_ticket", f"the gateway knows no ticket {ticket_id!r}")


_CUSTOMER_FIELDS = ("ticket_id", "vendor", "status", "case_reference", "opened_at")
_CUSTOMER_TIMES = ("acknowledged_at", "resolved_at")


def _customer_view(case: Any) -> dict[str, Any]:
    """What a client contact sees of a case: who is engaged and how far; no account ids."""
    return {name: case[name] for name in (*_CUSTOMER_FIELDS, *_CUSTOMER_TIMES)}


def _view(case: Any) -> dict[str, Any]:
    content = case["content"] or {}
    return {
        "ticket_id": case["ticket_id"],
        "vendor": case["vendor"],
        "status": case["status"],
        "channel": case["channel"],
        "case_key": case["case_key"],
        "case_reference": case["case_reference"],
        "vendor_status": case["vendor_status"],
        "reason": case["reason"],
        "requested_by": case["requested_by"],
        "requested_at": case["requested_at"],
        "data": {f["label"]: f["value"] for f in content.get("fields", [])},
        "missing": case["missing"],
        "waiting_for": case["blockers"],
        "eligible_at": case["eligible_at"],
        "attempts": case["attempts"],
        "next_attempt_at": case["next_attempt_at"],
        "last_error": case["last_error"],
        "opened_at": case["opened_at"],
        "acknowledged_at": case["acknowledged_at"],
        "resolved_at": case["resolved_at"],
        "polled_at": case["polled_at"],
        "poll_error": case["poll_error"],
        "chased_levels": case["chased_levels"],
    }
