"""Enumerations the events carry."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class Priority(StrEnum):
    """ITIL priority, from impact x urgency."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"
    P5 = "P5"


class Severity(StrEnum):
    """Severity as senders state it, normalised."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"
    INFO = "info"


class AlertStatus(StrEnum):
    """What an alert says about its condition."""

    FIRING = "firing"
    RESOLVED = "resolved"
    ACKNOWLEDGED = "acknowledged"


class EscalationReason(StrEnum):
    """Why a ticket should move up its escalation chain."""

    NOT_ACKNOWLEDGED = "not_acknowledged"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    CUSTOMER_DISSATISFIED = "customer_dissatisfied"
    MANUAL = "manual"
    UNREACHABLE = "unreachable"
    FLAPPING = "flapping"  # a flapping ticket's condition came back a flap window after its page


# An incident comes from an alert; a request from someone asking (a customer's email).
TicketType = Literal["incident", "request"]
