"""Router's settings (ESCALATOR_* environment variables)."""

from __future__ import annotations

from escalator_shared.settings import ServiceSettings


class RouterSettings(ServiceSettings):
    """Settings of the router service."""

    service_name: str = "router"
    http_port: int = 8002
