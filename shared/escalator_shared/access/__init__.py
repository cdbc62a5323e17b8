"""Access control shared by every service: who the caller is and what they may see and do."""

from __future__ import annotations

from escalator_shared.access.policy import (
    CUSTOMER_CLOCK_METRICS,
    PERMISSIONS,
    ROLE_RANK,
    Permission,
    may,
    who_may,
)
from escalator_shared.access.principal import Principal, Role

__all__ = [
    "CUSTOMER_CLOCK_METRICS",
    "PERMISSIONS",
    "ROLE_RANK",
    "Permission",
    "Principal",
    "Role",
    "may",
    "who_may",
]
