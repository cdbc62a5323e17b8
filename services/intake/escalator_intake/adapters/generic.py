"""The documented generic JSON format (docs/api.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from escalator_intake.adapters.base import (
    AdapterDefaults,
    ParsedAlert,
    PayloadError,
    derived_dedup_key,
)
from escalator_shared.config import format_path
from escalator_shared.events import AlertStatus, Severity


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
    error_codes: list[str] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)
    links: list[str] = Field(default_factory=list)
    occurred_at: datetime | None = None


class GenericAdapter(AdapterDefaults):
    """One alert per request, in our own vocabulary."""

    type: ClassVar[str] = "generic"
    default_severities: ClassVar[Mapping[str, Severity]] = {s.value: s for s in Severity}

    def parse(self, payload: Any) -> list[ParsedAlert]:
        """The body as one alert; PayloadError naming the first bad field."""
        try:
            body = GenericAlert.model_validate(payload)
        except ValidationError as exc:
            error = exc.errors()[0]
            raise PayloadError(format_path(tuple(error["loc"])), error["msg"]) from exc
        return [
            ParsedAlert(
                dedup_key=body.dedup_key or derived_dedup_key(body.device, body.title),
                status=body.status,
                title=body.title,
                raw_severity=body.severity.value,
                description=body.description,
                external_id=body.external_id,
                device=body.device,
                error_codes=tuple(body.error_codes),
                labels=body.labels,
                links=tuple(body.links),
                details=dict(body.model_extra or {}),
                occurred_at=body.occurred_at,
            )
        ]
