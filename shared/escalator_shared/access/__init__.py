"""Access control shared by every service: who the caller is and what they may see and do."""

from __future__ import annotations

from escalator_shared.access.policy import PERMISSIONS, ROLE_RANK, Permission, may, who_may
from escalator_shared.access.principal import Principal, Role

__all__ = ["PERMISSIONS", "ROLE_RANK", "Permission", "Principal", "Role", "may", "who_may"]
