"""Notifier's settings (ESCALATOR_* environment variables)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from escalator_shared.settings import SmtpSettings


class NotifierSettings(SmtpSettings):
    """Settings of the notifier service."""

    service_name: str = "notifier"
    http_port: int = 8005
    consumers: bool = Field(
        default=True,
        description="Turn events into queued deliveries here; false for a sending-only instance.",
    )
    delivery_worker: bool = Field(
        default=True,
        description="Send queued deliveries here; false for a consuming-only instance (instances "
        "of both kinds share the work through the deliveries table).",
    )
    delivery_poll_seconds: float = Field(default=0.05, gt=0)
    delivery_max_attempts: int = Field(default=6, ge=1)
    delivery_batch_size: int = Field(default=200, ge=1, description="Messages sent at once.")
    delivery_lease_seconds: float = Field(
        default=60.0, gt=0, description="A claimed message counts as unsure after this long."
    )
    delivery_retry_base_seconds: float = Field(default=2.0, gt=0)
    delivery_retry_cap_seconds: float = Field(default=300.0, gt=0)
    http_connections: int = Field(
        default=16, ge=1, description="Connections to HTTP channels, and messages in flight."
    )
    http_timeout_seconds: float = Field(default=10.0, gt=0)
    sms_auth_token: SecretStr | None = Field(
        default=None, description="Auth token of the SMS provider's account (Twilio)."
    )
    webhook_signing_secret: SecretStr = Field(
        default=SecretStr("dev-webhook-signing-secret"),
        description="HMAC-SHA256 key of the generic webhook's X-Escalator-Signature.",
    )
