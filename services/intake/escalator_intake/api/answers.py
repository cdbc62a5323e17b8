"""The answer every endpoint that accepts alerts gives."""

from __future__ import annotations

from typing import Any

from escalator_intake.alert_intake import Accepted


def accepted_body(accepted: list[Accepted]) -> dict[str, Any]:
    """`{"status": "accepted", "count", "alerts": [...]}`, flattened for a single alert."""
    body: dict[str, Any] = {
        "status": "accepted",
        "count": len(accepted),
        "alerts": [
            {"alert_id": a.alert_id, "ticket_id": a.alert_id, "dedup_key": a.dedup_key}
            for a in accepted
        ],
    }
    if len(accepted) == 1:
        body.update(body["alerts"][0])
    return body
