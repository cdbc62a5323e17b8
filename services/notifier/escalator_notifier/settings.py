"""Notifier's settings (ESCALATOR_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from escalator_shared.settings import SmtpSettings


class NotifierSettings(SmtpSettings):
    """Settings of the notifier service."""

    service_name: str = "notifier"
    http_port: int = 8005
    delivery_poll_seconds: float = Field(default=0.1, gt=0)
    delivery_max_attempts: int = Field(default=6, ge=1)
