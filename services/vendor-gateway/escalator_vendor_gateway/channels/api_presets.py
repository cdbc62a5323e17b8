"""The shapes of common case APIs: where to send, the body, where the case number comes back,
how to look a case up by our key, and how status webhooks name states.

A vendor's `api` entry picks a preset and overrides any part of it (escalator_shared.config
.vendor_api). Bodies are built from the case context (domain.case_message.case_context).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from escalator_shared.config.vendor_api import VendorApi, VendorStatusUpdates
from escalator_vendor_gateway.domain.case_message import render_json, vendor_email
from escalator_vendor_gateway.domain.case_plan import CaseStatus

Body = Callable[[dict[str, Any]], dict[str, Any]]


def _in_path(number: str) -> str:
    """A case number as one segment of a URL path."""
    return quote(number, safe="")


_SERVICENOW_URGENCY = {"P1": "1", "P2": "1", "P3": "2", "P4": "3", "P5": "3"}
_ZENDESK_PRIORITY = {"P1": "urgent", "P2": "high", "P3": "normal", "P4": "low", "P5": "low"}


@dataclass(frozen=True)
class ApiShape:
    """One preset: request, case number, lookup, status words."""

    method: str
    path: Callable[[VendorApi], str]
    body: Body
    case_number_path: str
    # Path and query looking a case up by our key; None: the API has no such search.
    lookup: Callable[[VendorApi, str], tuple[str, dict[str, str]]] | None
    lookup_number_path: str | None
    updates: VendorStatusUpdates
    # Path and query asking for a case's status by the vendor's number, and the status's path.
    status_lookup: Callable[[VendorApi, str], tuple[str, dict[str, str]]]
    status_value_path: str


def _servicenow_body(case: dict[str, Any]) -> dict[str, Any]:
    email = vendor_email(case)
    return {
        "short_description": f"{case['tag']} {case['title']}",
        "description": email.body,
        "correlation_id": case["key"],
        "correlation_display": "escalator",
        "urgency": _SERVICENOW_URGENCY.get(case["priority"], "2"),
        "impact": _SERVICENOW_URGENCY.get(case["priority"], "2"),
    }


def _zendesk_body(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "ticket": {
            "subject": f"{case['tag']} {case['title']}",
            "comment": {"body": vendor_email(case).body},
            "external_id": case["key"],
            "priority": _ZENDESK_PRIORITY.get(case["priority"], "normal"),
            "tags": ["escalator"],
        }
    }


def _webhook_body(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "case_key": case["key"],
        "ticket_id": case["ticket_id"],
        "reference": case["reference"],
        "client": case["client"],
        "priority": case["priority"],
        "title": case["title"],
        "description": case["description"],
        "fields": case["values"],
    }


PRESETS: dict[str, ApiShape] = {
    "servicenow": ApiShape(
        method="POST",
        path=lambda api: f"/api/now/table/{api.table}",
        body=_servicenow_body,
        case_number_path="result.number",
        lookup=lambda api, key: (
            f"/api/now/table/{api.table}",
            {"sysparm_query": f"correlation_id={key}", "sysparm_limit": "1"},
        ),
        lookup_number_path="result.0.number",
        updates=VendorStatusUpdates(
            case_number_path="number",
            status_path="state",
            acknowledged=["2", "In Progress", "3", "On Hold"],
            resolved=["6", "7", "Resolved", "Closed"],
        ),
        status_lookup=lambda api, number: (
            f"/api/now/table/{api.table}",
            {"sysparm_query": f"number={number}", "sysparm_limit": "1"},
        ),
        status_value_path="result.0.state",
    ),
    "zendesk": ApiShape(
        method="POST",
        path=lambda _api: "/api/v2/tickets.json",
        body=_zendesk_body,
        case_number_path="ticket.id",
        lookup=lambda _api, key: ("/api/v2/tickets.json", {"external_id": key}),
        lookup_number_path="tickets.0.id",
        updates=VendorStatusUpdates(
            case_number_path="ticket.id",
            status_path="ticket.status",
            acknowledged=["open", "pending", "hold"],
            resolved=["solved", "closed"],
        ),
        status_lookup=lambda _api, number: (f"/api/v2/tickets/{_in_path(number)}.json", {}),
        status_value_path="ticket.status",
    ),
    "webhook": ApiShape(
        method="POST",
        path=lambda _api: "",
        body=_webhook_body,
        case_number_path="case_number",
        lookup=None,
        lookup_number_path=None,
        updates=VendorStatusUpdates(
            case_number_path="case_number",
            status_path="status",
            acknowledged=["acknowledged", "in_progress"],
            resolved=["resolved", "closed"],
        ),
        status_lookup=lambda _api, number: (f"/{_in_path(number)}", {}),
        status_value_path="status",
    ),
}


@dataclass(frozen=True)
class ApiRequest:
    """The request opening one case, the preset and the overrides applied."""

    method: str
    url: str
    body: dict[str, Any]
    case_number_path: str


def opening_request(api: VendorApi, case: dict[str, Any]) -> ApiRequest:
    """The request a vendor's API entry describes for this case."""
    shape = PRESETS[api.preset]
    path = api.path if api.path is not None else shape.path(api)
    body = render_json(api.body, case) if api.body is not None else shape.body(case)
    return ApiRequest(
        method=api.method or shape.method,
        url=api.url.rstrip("/") + path if path else api.url,
        body=body,
        case_number_path=api.case_number_path or shape.case_number_path,
    )


def lookup_request(api: VendorApi, key: str) -> tuple[str, dict[str, str], str] | None:
    """URL, query and number path finding a case by our key; None where the API has no search."""
    shape = PRESETS[api.preset]
    if shape.lookup is None or shape.lookup_number_path is None:
        return None
    path, query = shape.lookup(api, key)
    return api.url.rstrip("/") + path, query, shape.lookup_number_path


def status_request(api: VendorApi, number: str) -> tuple[str, dict[str, str], str]:
    """URL, query and status path asking the vendor's API for one case's status by its number
    (the `poll` entry's path and status path win over the preset's)."""
    shape = PRESETS[api.preset]
    poll = api.poll
    path, query = shape.status_lookup(api, number)
    if poll is not None and poll.path is not None:
        path, query = poll.path.replace("{case_number}", _in_path(number)), {}
    status_path = (poll.status_path if poll else None) or shape.status_value_path
    return api.url.rstrip("/") + path, query, status_path


def status_updates(api: VendorApi) -> VendorStatusUpdates:
    """How the vendor's webhook names case and status: the preset's, overridden field by field."""
    preset = PRESETS[api.preset].updates
    given = api.updates
    return VendorStatusUpdates(
        case_number_path=given.case_number_path or preset.case_number_path,
        status_path=given.status_path or preset.status_path,
        acknowledged=given.acknowledged or preset.acknowledged,
        resolved=given.resolved or preset.resolved,
    )


def find_path(document: Any, path: str) -> Any:
    """The value at a dotted path (`result.0.number`); None where there is none."""
    current = document
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def status_meaning(updates: VendorStatusUpdates, status: str) -> CaseStatus | None:
    """What the vendor's status word means for us: resolved, acknowledged, or just progress."""
    folded = status.casefold()
    if folded in {s.casefold() for s in updates.resolved}:
        return CaseStatus.RESOLVED
    if folded in {s.casefold() for s in updates.acknowledged}:
        return CaseStatus.ACKNOWLEDGED
    return None
