"""Settings common to every service, read from `ESCALATOR_*` environment variables.

Each service subclasses `ServiceSettings` in its own `settings.py`; nothing else reads the
environment. Default secrets are refused outside development and test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "postgresql+asyncpg://escalator:escalator@127.0.0.1:15432/escalator"
DEFAULT_LINK_SECRET = "dev-link-signing-secret"  # noqa: S105 - refused in production


class ServiceSettings(BaseSettings):
    """Infrastructure settings shared by the services."""

    model_config = SettingsConfigDict(env_prefix="ESCALATOR_", extra="ignore", frozen=True)

    service_name: str = Field(description="Name used in logs, metrics and event producers.")
    environment: Literal["development", "test", "production"] = "development"
    config: Path = Field(
        default=Path("deploy/config/example.yaml"), description="The YAML configuration file."
    )
    kafka_bootstrap_servers: str = "127.0.0.1:19092"
    database_url: str = DEFAULT_DATABASE_URL
    database_schema: str = Field(default="", description="Schema of its tables; default: name.")
    database_pool_size: int = Field(default=10, ge=1)
    topic_prefix: str = "escalator."
    topic_partitions: int = Field(default=6, ge=1)
    topic_replication_factor: int = Field(default=1, ge=1)
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    http_reuse_port: bool = Field(
        default=False,
        description="Bind with SO_REUSEPORT, so several instances on one host share the port.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    consumer_max_attempts: int = Field(default=5, ge=1, description="Tries before dead-letter.")
    consumer_retry_base_seconds: float = Field(default=0.2, gt=0)
    consumer_batch_size: int = Field(default=500, ge=1)
    consumer_transaction_size: int = Field(
        default=100, ge=1, description="Records of one partition handled in one transaction."
    )
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    processed_events_retention_hours: float = Field(
        default=7 * 24,
        gt=0,
        description="How long handled event ids are remembered; keep it above the topics' "
        "retention so a redelivery is always recognised.",
    )
    link_signing_secret: SecretStr = Field(
        default=SecretStr(DEFAULT_LINK_SECRET),
        description="HMAC secret of one-click action links; the same for intake and notifier.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8001", description="Where people reach intake (for links)."
    )
    console_url: str | None = Field(
        default=None,
        description="Where people reach the console; one-click links then land on its page.",
    )

    @property
    def schema_name(self) -> str:
        """The PostgreSQL schema holding this service's tables."""
        return self.database_schema or self.service_name.replace("-", "_")

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Self:
        if self.environment != "production":
            return self
        if self.database_url == DEFAULT_DATABASE_URL:
            raise ValueError(
                "ESCALATOR_DATABASE_URL still has the development default password; "
                "set a real one for production"
            )
        if self.link_signing_secret.get_secret_value() == DEFAULT_LINK_SECRET:
            raise ValueError("set ESCALATOR_LINK_SIGNING_SECRET to a real secret for production")
        return self


class SmtpSettings(ServiceSettings):
    """A service that sends email: its SMTP relay."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_from: str = "Escalator <escalator@msp.example>"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=15.0, gt=0)
