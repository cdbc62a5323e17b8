"""`GET /v1/vendors`: the vendor directory as technicians look it up, with review flags."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from escalator_shared.access import Permission, Principal
from escalator_shared.config import EscalatorConfig, Vendor
from escalator_shared.events import utc_now
from escalator_shared.http.auth import authorize
from escalator_vendor_gateway.known_vendors import known_vendor


def directory_router(config: EscalatorConfig) -> APIRouter:
    """The directory listing and one vendor's entry (staff; scoped callers see their clients)."""
    router = APIRouter(tags=["vendor directory"])

    @router.get("/v1/vendors")
    async def list_vendors(request: Request, review_due: bool | None = None) -> list[Any]:
        principal = authorize(config, request, Permission.READ_INTERNAL)
        entries = [_entry(config, vendor, principal) for vendor in config.vendors]
        if review_due is not None:
            entries = [e for e in entries if e["review"]["due"] is review_due]
        return entries

    @router.get("/v1/vendors/{vendor_id}")
    async def one_vendor(request: Request, vendor_id: str) -> dict[str, Any]:
        principal = authorize(config, request, Permission.READ_INTERNAL)
        return _entry(config, known_vendor(config, vendor_id), principal)

    return router


def _entry(config: EscalatorConfig, vendor: Vendor, principal: Principal) -> dict[str, Any]:
    every = config.vendor_review_every
    entry: dict[str, Any] = vendor.model_dump(mode="json")
    entry["opening_channel"] = vendor.opening_channel
    entry["clients_covered"] = principal.visible(
        c.id for c in config.clients if vendor.id in c.vendor_accounts
    )
    entry["review"] = {
        "last_reviewed": entry.pop("last_reviewed"),
        "every_days": every.days,
        "due": vendor.review_due(utc_now().date(), every),
    }
    return entry
