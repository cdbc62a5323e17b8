"""Router's settings (ESCALATOR_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from escalator_shared.settings import ServiceSettings


class RouterSettings(ServiceSettings):
    """Settings of the router service."""

    service_name: str = "router"
    http_port: int = 8002
    escalation_poll_seconds: float = Field(
        default=0.2, gt=0, description="Longest wait between scans for due escalation steps."
    )
    escalation_batch_size: int = Field(
        default=200, ge=1, description="Due chains moved per transaction."
    )
