"""The documented generic JSON alert format, and its translation into a canonical alert."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from escalator_shared.config import Integration
from escalator_shared.events import AlertReceived, AlertStatus, Severity


class GenericAlert(BaseModel):
    """A generic alert body; unknown fields are kept under `details`, not rejected."""

    model_config = ConfigDict(extra="allow", frozen=True)

    title: str = Field(min_length=1, max_length=1024, description="One-line summary.")
    severity: Severity = Field(default=Severity.WARNING)
    status: AlertStatus = Field(default=AlertStatus.FIRING)
    dedup_key: str | None = Field(default=None, min_length=1, max_length=255)
    external_id: str | None = Field(default=None, max_length=255)
    description: str = Field(default="", max_length=65536)
    device: str | None = Field(default=None, max_length=255)
    labels: dict[str, str] = Field(default_factory=dict)
    links: list[str] = Field(default_factory=list)
    occurred_at: datetime | None = None


def to_alert_received(
    body: GenericAlert, integration: Integration, alert_id: str, received_at: datetime
) -> AlertReceived:
    """The canonical alert; without a dedup key, title and device make one."""
    dedup_key = body.dedup_key or _derived_dedup_key(body)
    extra: dict[str, Any] = dict(body.model_extra or {})
    return AlertReceived(
        alert_id=alert_id,
        integration=integration.id,
        source=integration.type,
        external_id=body.external_id,
        dedup_key=dedup_key,
        status=body.status,
        severity=body.severity,
        title=body.title,
        description=body.description,
        device=body.device,
        labels=body.labels,
        links=body.links,
        details=extra,
        occurred_at=body.occurred_at or received_at,
    )


def _derived_dedup_key(body: GenericAlert) -> str:
    basis = f"{body.device or ''}\x1f{body.title}".encode()
    return "derived:" + hashlib.sha256(basis).hexdigest()[:32]
