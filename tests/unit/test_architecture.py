"""The shape of the house: services never import each other; the shared surface is pinned."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import escalator_shared.access
import escalator_shared.config
import escalator_shared.events

REPO = Path(__file__).resolve().parents[2]
SERVICE_PACKAGES = {
    "intake": "escalator_intake",
    "router": "escalator_router",
    "sla-timer": "escalator_sla_timer",
    "vendor-gateway": "escalator_vendor_gateway",
    "notifier": "escalator_notifier",
}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("service", sorted(SERVICE_PACKAGES))
def test_a_service_imports_no_other_service(service: str) -> None:
    others = {pkg for name, pkg in SERVICE_PACKAGES.items() if name != service}
    offenders = [
        f"{path.relative_to(REPO)} imports {module}"
        for path in (REPO / "services" / service).rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] in others
    ]
    assert offenders == []


def test_the_shared_package_imports_no_service() -> None:
    offenders = [
        f"{path.relative_to(REPO)} imports {module}"
        for path in (REPO / "shared").rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] in SERVICE_PACKAGES.values()
    ]
    assert offenders == []


def test_nothing_but_settings_reads_the_environment() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for root in ("shared", "services")
        for path in (REPO / root).rglob("*.py")
        if path.name != "settings.py"
        and ("os.environ" in path.read_text() or "os.getenv" in path.read_text())
    ]
    assert offenders == []


def test_the_event_catalogue_surface_is_pinned() -> None:
    assert sorted(escalator_shared.events.__all__) == sorted(
        [
            "CATALOGUE",
            "EVENT_TYPES",
            "AlertReceived",
            "ApiTokenChanged",
            "AlertStatus",
            "EmailReceived",
            "Envelope",
            "EscalationReason",
            "EscalationRequested",
            "EscalationStepReached",
            "EscalationStopped",
            "Event",
            "NotificationDelivered",
            "NotificationFailed",
            "NotificationRequested",
            "Priority",
            "RespondersPaged",
            "Severity",
            "SlaBreachReminded",
            "SlaBreached",
            "SlaClockPaused",
            "SlaClockResumed",
            "SlaClockRetargeted",
            "SlaClockStarted",
            "SlaClockStopped",
            "SlaWarningReached",
            "StaffActionRecorded",
            "TicketAcknowledged",
            "TicketOpened",
            "TicketResolved",
            "TicketReopened",
            "TicketStatusChanged",
            "TicketNoteAdded",
            "TicketPriorityChanged",
            "TicketRouted",
            "TicketUpdated",
            "Topics",
            "UnknownEventTypeError",
            "VendorCallRequested",
            "VendorCaseAcknowledged",
            "VendorCaseDataRequested",
            "VendorCaseFailed",
            "VendorCaseOpened",
            "VendorCaseRequested",
            "VendorCaseResolved",
            "VendorCaseUpdated",
            "VendorReplyReceived",
            "decode",
            "new_id",
            "utc_now",
        ]
    )
    for name in escalator_shared.events.__all__:
        assert hasattr(escalator_shared.events, name)


def test_the_configuration_surface_is_pinned() -> None:
    assert sorted(escalator_shared.config.__all__) == sorted(
        [
            "ApiToken",
            "CALLBACK_PATH",
            "Calendar",
            "Channel",
            "Client",
            "ClientContact",
            "ConfigError",
            "Duration",
            "EmailAlertPattern",
            "EmailIntake",
            "EscalationPolicy",
            "EscalationStep",
            "EscalatorConfig",
            "HashedToken",
            "ImapMailbox",
            "Integration",
            "MajorOutage",
            "NoticeKind",
            "Notifications",
            "Override",
            "Person",
            "PersonNotifications",
            "RateLimit",
            "RotationLayer",
            "Routing",
            "RoutingRule",
            "RoutingTarget",
            "RuleMatch",
            "Schedule",
            "SingleSignOn",
            "SlaPolicy",
            "StaffRole",
            "StepAction",
            "Team",
            "Tier",
            "TimeWindow",
            "Vendor",
            "format_path",
            "load_config",
            "parse_duration",
            "token_digest",
        ]
    )


def test_the_access_surface_is_pinned() -> None:
    assert sorted(escalator_shared.access.__all__) == sorted(
        [
            "CUSTOMER_CLOCK_METRICS",
            "PERMISSIONS",
            "ROLE_RANK",
            "Permission",
            "Principal",
            "Role",
            "may",
            "who_may",
        ]
    )
