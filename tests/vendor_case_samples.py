"""A ticket and the example configuration's vendors, shared by the vendor gateway's tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from escalator_shared.config.loader import load_config
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot

CONFIG = load_config(Path(__file__).parents[1] / "deploy" / "config" / "example.yaml")
MICROSOFT, ISP, ACME = CONFIG.vendor("microsoft"), CONFIG.vendor("fibrenet"), CONFIG.client("acme")
KEY = "vc-t-1-microsoft"
TICKET = TicketSnapshot(
    ticket_id="t-1",
    client_id="acme",
    title="Sign-ins failing for finance",
    priority="P2",
    opened_at=datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
    description="Users get AADSTS50076 since 09:00",
    reference="TKT-1042",
    error_codes=("AADSTS50076",),
)
