"""Notifier's settings (ESCALATOR_* environment variables)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from escalator_shared.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    """Settings of the notifier service."""

    service_name: str = "notifier"
    http_port: int = 8005
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_from: str = "Escalator <escalator@msp.example>"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=15.0, gt=0)
    delivery_poll_seconds: float = Field(default=0.1, gt=0)
    delivery_max_attempts: int = Field(default=6, ge=1)
