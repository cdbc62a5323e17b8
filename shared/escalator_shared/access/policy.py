"""What each role may do, as one table every service reads (`may`, `PERMISSIONS`)."""

from __future__ import annotations

from enum import StrEnum

from escalator_shared.access.principal import Principal, Role


class Permission(StrEnum):
    """A kind of request, from reading one's tickets to administering access."""

    READ = "read"
    """Tickets, clocks, vendor cases, reports, customer updates: of the caller's clients."""
    READ_INTERNAL = "read_internal"
    """Routing explanations, diagrams, deliveries to staff, emails, the vendor directory."""
    WORK = "work"
    """Ticket commands: acknowledge, resolve, notes, status, priority, escalate, vendor cases."""
    MANAGE = "manage"
    """Drills, rejected requests and their replay, email replay, SLA due-time overrides."""
    ADMINISTER = "administer"
    """API tokens of others and the audit log."""


_STAFF = frozenset({Permission.READ, Permission.READ_INTERNAL, Permission.WORK})

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    "client": frozenset({Permission.READ}),
    "technician": _STAFF,
    "manager": _STAFF | {Permission.MANAGE},
    "admin": _STAFF | {Permission.MANAGE, Permission.ADMINISTER},
}

_WHO_MAY: dict[Permission, str] = {
    Permission.READ: "signed-in people",
    Permission.READ_INTERNAL: "staff",
    Permission.WORK: "staff",
    Permission.MANAGE: "managers and admins",
    Permission.ADMINISTER: "admins",
}

# The contract's SLA clocks, which a client's own people see; OLA (`ola:<tier>`) and vendor clocks
# are internal.
CUSTOMER_CLOCK_METRICS = frozenset({"response", "update", "resolution"})

ROLE_RANK: dict[Role, int] = {"client": 0, "technician": 1, "manager": 2, "admin": 3}


def may(principal: Principal, permission: Permission) -> bool:
    """Whether the caller's role grants the permission."""
    return permission in PERMISSIONS[principal.role]


def who_may(permission: Permission) -> str:
    """The people a permission belongs to, for an error message."""
    return _WHO_MAY[permission]
