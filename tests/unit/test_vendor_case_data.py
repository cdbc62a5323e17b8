"""Vendor case data from its sources, what is missing, and when a vendor is engaged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from escalator_shared.config import Client, load_config
from escalator_shared.config.vendors import Engagement
from escalator_vendor_gateway.domain.case_data import gather
from escalator_vendor_gateway.domain.engagement import engagement_blockers
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot

CONFIG = load_config(Path(__file__).parents[2] / "deploy" / "config" / "example.yaml")
MICROSOFT, ISP = CONFIG.vendor("microsoft"), CONFIG.vendor("fibrenet")
ACME, GLOBEX = CONFIG.client("acme"), CONFIG.client("globex")
OPENED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _ticket(**fields: object) -> TicketSnapshot:
    values: dict[str, object] = {
        "ticket_id": "t-1",
        "client_id": "acme",
        "title": "Sign-ins failing for finance",
        "priority": "P2",
        "opened_at": OPENED,
        "description": "Users get AADSTS50076 since 09:00",
        "device": "lon-fw-01",
        "error_codes": ("AADSTS50076",),
    }
    values.update(fields)
    return TicketSnapshot(**values)  # type: ignore[arg-type]


def test_values_come_from_the_ticket_the_client_account_and_the_vendor_account() -> None:
    data = gather(MICROSOFT, _ticket(), ACME)
    assert data.values == {
        "tenant_id": "9b1c7e52-acme-tenant",
        "partner_id": "4412087",
        "error_code": "AADSTS50076",
        "description": "Users get AADSTS50076 since 09:00",
    }
    # Nothing holds the number of users affected: the technician is asked for it.
    assert [f.name for f in data.missing] == ["affected_users"]
    assert not data.complete


def test_what_the_technician_supplies_fills_exactly_the_missing_fields() -> None:
    data = gather(MICROSOFT, _ticket(), ACME, {"affected_users": " 14 ", "tenant_id": "ignored"})
    assert data.complete
    assert data.values["affected_users"] == "14"
    assert data.values["tenant_id"] == "9b1c7e52-acme-tenant"  # the directory's value stands


def test_a_client_without_an_account_misses_its_id_and_optional_fields_are_never_missing() -> None:
    data = gather(MICROSOFT, _ticket(description="", error_codes=()), GLOBEX, {})
    assert [f.name for f in data.missing] == ["tenant_id", "error_code", "affected_users"]
    assert "description" not in data.values


def test_labels_the_device_and_several_error_codes_are_carried() -> None:
    data = gather(ISP, _ticket(error_codes=("E1", "E2")), ACME)
    assert data.values == {"circuit_id": "FN-LON-88121", "site": "lon-fw-01"}
    assert gather(MICROSOFT, _ticket(error_codes=("E1", "E2")), ACME).values["error_code"] == (
        "E1, E2"
    )


def test_a_vendor_is_engaged_once_every_condition_holds() -> None:
    held = {"L2": timedelta(minutes=31)}
    assert engagement_blockers(MICROSOFT, _ticket(), ACME, held) == []


@pytest.mark.parametrize(
    ("ticket", "client", "held", "reason"),
    [
        (
            _ticket(error_codes=("0x8007000E",)),
            ACME,
            {"L2": timedelta(hours=1)},
            "error codes 0x8007000E are not among AADSTS*, 0x8004*",
        ),
        (
            _ticket(),
            ACME,
            {"L2": timedelta(minutes=12)},
            "L2 has had the ticket 12 min, not yet 30 min",
        ),
        (_ticket(), ACME, {}, "L2 has had the ticket 0 min, not yet 30 min"),
        (
            _ticket(),
            GLOBEX,
            {"L2": timedelta(hours=1)},
            "client globex has no account with Microsoft 365",
        ),
    ],
)
def test_each_unmet_condition_is_named(
    ticket: TicketSnapshot, client: Client, held: dict[str, timedelta], reason: str
) -> None:
    assert engagement_blockers(MICROSOFT, ticket, client, held) == [reason]


def test_a_vendor_without_conditions_is_engaged_whenever_asked() -> None:
    assert engagement_blockers(ISP, _ticket(error_codes=()), GLOBEX, {}) == []


@pytest.mark.parametrize(
    ("labels", "blockers"),
    [
        ({"device_type": "firewall"}, []),
        ({"device_type": "switch"}, ["device type switch is not among firewall, router"]),
        ({}, ["device type unknown is not among firewall, router"]),
    ],
)
def test_device_types_come_from_the_device_type_label(
    labels: dict[str, str], blockers: list[str]
) -> None:
    rules = Engagement(device_types=["firewall", "router"], contract_required=False)
    hardware = ISP.model_copy(update={"engage_when": rules})
    assert engagement_blockers(hardware, _ticket(labels=labels), GLOBEX, {}) == blockers
