"""Intake's settings (ESCALATOR_* environment variables)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from escalator_shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    """Settings of the intake service."""

    service_name: str = "intake"
    http_port: int = 8001
    consumers: bool = Field(
        default=True,
        description="Run the alert, mail and timeline consumers and the heartbeat monitor here; "
        "false for extra API-only instances (which also need ESCALATOR_SMTP_LISTEN_PORT=0).",
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest webhook body.")
    smtp_listen_host: str = Field(
        default="127.0.0.1", description="Address the inbound SMTP listener binds."
    )
    smtp_listen_port: int = Field(
        default=2525, ge=0, le=65535, description="Port of the SMTP listener; 0 turns it off."
    )
    sso_client_secret: SecretStr | None = Field(
        default=None,
        description="The client secret the OpenID Connect provider gave (single_sign_on in the "
        "configuration); none for a public client, which PKCE alone protects.",
    )
    backlog_seconds: float = Field(
        default=15.0,
        gt=0,
        description="How often the open-ticket gauge escalator_tickets_open is counted.",
    )
