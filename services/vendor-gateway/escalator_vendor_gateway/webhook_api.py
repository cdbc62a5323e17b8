"""`POST /v1/vendor-webhooks/{vendor}`: a vendor's system tells us about its case.

The vendor presents the secret its `api.webhook_secret` names (Bearer token). Where in the body
the case number and status are, and which statuses mean responded or resolved, come from the
vendor's `api.updates` (or its preset); any other status is recorded as progress.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request

from escalator_shared.config import EscalatorConfig, Vendor
from escalator_shared.http.auth import presented_token
from escalator_shared.http.errors import ApiError
from escalator_shared.http.json_body import parse_json
from escalator_shared.storage_text import storage_safe
from escalator_vendor_gateway.case_commands import CaseCommands
from escalator_vendor_gateway.channels.api_presets import (
    find_path,
    status_meaning,
    status_updates,
)
from escalator_vendor_gateway.known_vendors import known_vendor


def webhook_router(
    config: EscalatorConfig, secrets: Mapping[str, str], commands: CaseCommands
) -> APIRouter:
    """The vendors' status webhook."""
    router = APIRouter(tags=["vendor webhooks"])

    @router.post("/v1/vendor-webhooks/{vendor_id}")
    async def vendor_webhook(request: Request, vendor_id: str) -> dict[str, Any]:
        vendor = _authenticated_vendor(config, secrets, vendor_id, request)
        body = parse_json(await request.body())
        assert vendor.api is not None  # only API vendors have a webhook secret
        body = storage_safe(body)
        updates = status_updates(vendor.api)
        if not updates.case_number_path or not updates.status_path:
            raise ApiError(404, "no_webhook", f"{vendor_id} names no case number or status path")
        reference = find_path(body, updates.case_number_path)
        status_text = find_path(body, updates.status_path)
        if reference in (None, "") or status_text in (None, ""):
            raise ApiError(
                422,
                "missing_fields",
                f"the body needs the case number at {updates.case_number_path!r} and the status "
                f"at {updates.status_path!r}",
            )
        status = status_meaning(updates, str(status_text))
        row = await commands.vendor_reported(vendor.id, str(reference), status, str(status_text))
        return {
            "ticket_id": row.ticket_id,
            "case_reference": str(reference),
            "status": str(status_text),
        }

    return router


def _authenticated_vendor(
    config: EscalatorConfig, secrets: Mapping[str, str], vendor_id: str, request: Request
) -> Vendor:
    vendor = known_vendor(config, vendor_id)
    secret_name = vendor.api.webhook_secret if vendor.api else None
    expected = secrets.get(secret_name) if secret_name else None
    if expected is None:
        raise ApiError(404, "no_webhook", f"{vendor_id} has no status webhook configured")
    token = presented_token(request)
    if token is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise ApiError(401, "bad_token", "present the vendor's webhook secret as a Bearer token")
    return vendor
