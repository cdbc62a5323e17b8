"""Console settings (ESCALATOR_* environment variables)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    """Where the console listens and where the services it reads and acts through answer."""

    model_config = SettingsConfigDict(env_prefix="ESCALATOR_", extra="ignore", frozen=True)

    service_name: str = "console"
    environment: Literal["development", "test", "production"] = "development"
    config: Path = Field(
        default=Path("deploy/config/example.yaml"), description="The YAML configuration file."
    )
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    intake_url: str = "http://127.0.0.1:8001"
    router_url: str = "http://127.0.0.1:8002"
    sla_timer_url: str = "http://127.0.0.1:8003"
    vendor_gateway_url: str = "http://127.0.0.1:8004"
    notifier_url: str = "http://127.0.0.1:8005"
    backend_timeout_seconds: float = Field(default=10.0, gt=0)
    refresh_seconds: float = Field(
        default=5.0, gt=0, le=60, description="How often an open queue asks for new rows."
    )
    queue_limit: int = Field(
        default=2000, ge=1, le=10_000, description="Open tickets one queue page shows at most."
    )
    dot_command: str = Field(default="dot", description="Graphviz, which draws escalation paths.")
