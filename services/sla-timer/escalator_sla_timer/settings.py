"""SLA timer's settings (ESCALATOR_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from escalator_shared.settings import ServiceSettings


class SlaTimerSettings(ServiceSettings):
    """Settings of the SLA timer service."""

    service_name: str = "sla-timer"
    http_port: int = 8003
    timer_poll_seconds: float = Field(default=0.2, gt=0, description="Longest wait between scans.")
    timer_batch_size: int = Field(default=500, ge=1, description="Clocks fired per transaction.")
