"""The cases API: list a ticket's cases, engage a vendor, supply missing data, record a case
opened by phone, report the vendor's answer. Routes only translate; CaseCommands acts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authenticate_staff
from escalator_shared.storage_text import StoredText
from escalator_vendor_gateway import case_store
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
    """The vendor case routes (staff tokens)."""
    router = APIRouter(tags=["vendor cases"])

    @router.get("/v1/vendor-cases")
    async def list_cases(request: Request, ticket_id: str) -> list[dict[str, Any]]:
        authenticate_staff(config, request)
        async with session_factory() as session:
            rows = await session.execute(case_store.listing(ticket_id))
            return [_view(row._mapping) for row in rows]

    @router.post("/v1/tickets/{ticket_id}/vendor-cases", status_code=202)
    async def engage(request: Request, ticket_id: str, body: EngageVendor) -> dict[str, str]:
        staff = authenticate_staff(config, request)
        await commands.request(ticket_id, body.vendor, staff.person, body.note)
        return {"ticket_id": ticket_id, "vendor": body.vendor, "status": "requested"}

    @router.post("/v1/vendor-cases/{ticket_id}/{vendor}/data")
    async def supply(
        request: Request, ticket_id: str, vendor: str, body: SupplyData
    ) -> dict[str, str]:
        authenticate_staff(config, request)
        status = await commands.supply(ticket_id, vendor, body.values)
        return {"ticket_id": ticket_id, "vendor": vendor, "status": status}

    @router.post("/v1/vendor-cases/{ticket_id}/{vendor}/opened")
    async def opened(
        request: Request, ticket_id: str, vendor: str, body: RecordOpened
    ) -> dict[str, str]:
        authenticate_staff(config, request)
        await commands.record_opened(ticket_id, vendor, body.case_reference)
        return {"ticket_id": ticket_id, "vendor": vendor, "status": CaseStatus.OPEN.value}

    @router.post("/v1/vendor-cases/{ticket_id}/{vendor}/answer")
    async def answer(
        request: Request, ticket_id: str, vendor: str, body: VendorAnswer
    ) -> dict[str, Any]:
        authenticate_staff(config, request)
        changed = await commands.record_answer(ticket_id, vendor, CaseStatus(body.status), body.at)
        return {"ticket_id": ticket_id, "vendor": vendor, "status": body.status, "changed": changed}

    return router


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
