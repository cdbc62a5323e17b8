"""Vendor gateway's settings (ESCALATOR_* environment variables)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from escalator_shared.settings import SmtpSettings


class VendorGatewaySettings(SmtpSettings):
    """Settings of the vendor gateway service."""

    service_name: str = "vendor-gateway"
    http_port: int = 8004
    vendor_secrets: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Secrets the vendor directory names (API auth headers, webhook tokens), as "
        'JSON: {"microsoft-api": "Bearer …"}.',
    )
    message_id_domain: str = Field(
        default="escalator.local", description="Domain of the Message-IDs of case emails."
    )
    case_max_attempts: int = Field(default=6, ge=1, description="Attempts before a case fails.")
    case_retry_base_seconds: float = Field(default=2.0, gt=0)
    case_retry_cap_seconds: float = Field(default=300.0, gt=0)
    case_batch_size: int = Field(default=64, ge=1, description="Cases sent concurrently.")
    case_lease_seconds: float = Field(
        default=120.0, gt=0, description="A claimed case is retried elsewhere after this long."
    )
    case_poll_seconds: float = Field(default=0.5, gt=0)
    breaker_threshold: int = Field(default=5, ge=1, description="Failures in a row that open it.")
    breaker_cooldown_seconds: float = Field(default=30.0, gt=0)
    vendor_http_connections: int = Field(default=64, ge=1)
    status_poll_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How often to look for open cases due a status request (vendors' api.poll).",
    )
    chase_poll_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often to look for open cases due a chase up the vendor's escalation "
        "ladder.",
    )

    def secrets(self) -> dict[str, str]:
        """The vendor secrets in the clear, for the channels and the webhook."""
        return {name: value.get_secret_value() for name, value in self.vendor_secrets.items()}
