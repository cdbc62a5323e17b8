"""Vendor gateway's settings (ESCALATOR_* environment variables)."""

from __future__ import annotations

from escalator_shared.settings import ServiceSettings


class VendorGatewaySettings(ServiceSettings):
    """Settings of the vendor gateway service."""

    service_name: str = "vendor-gateway"
    http_port: int = 8004
