"""JSON answers encoded straight with the standard library: for big listings (a queue's
tickets, its clocks) FastAPI's generic encoder costs more than the database query."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from starlette.responses import Response


def json_response(content: Any, status_code: int = 200) -> Response:
    """`content` (dicts, lists, strings, numbers, datetimes) as a compact JSON response."""
    body = json.dumps(content, default=_value, separators=(",", ":"), ensure_ascii=False)
    return Response(body, status_code=status_code, media_type="application/json")


def _value(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")
