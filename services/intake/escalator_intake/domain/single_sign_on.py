"""Single sign-on's rules, apart from any I/O: who the provider's answer names, which role its
groups give, and where the browser may be sent afterwards."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from escalator_shared.access.policy import ROLE_RANK
from escalator_shared.config import StaffRole


class SsoRefusedError(Exception):
    """The provider's answer signs nobody in: `code` and a message a person can act on."""

    def __init__(self, status: int, code: str, message: str, email: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.email = email


def role_for(groups: Iterable[str], roles: Mapping[str, StaffRole]) -> StaffRole | None:
    """The highest role any of the groups maps to; None when none maps."""
    granted = [roles[g] for g in groups if g in roles]
    return max(granted, key=ROLE_RANK.__getitem__, default=None)


def groups_in(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The groups an ID token lists: a list of strings, or one string (some providers send a
    single group bare); anything else lists none."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [g for g in value if isinstance(g, str)]
    return []


def verified_email(claims: Mapping[str, Any]) -> str:
    """The email address the provider vouches for, lower-cased; refused when it gives none or
    says it is unverified."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SsoRefusedError(
            403, "sso_no_email", "the provider gave no email address: ask for the email scope"
        )
    if claims.get("email_verified") is False:
        raise SsoRefusedError(
            403, "sso_unverified_email", f"the provider has not verified {email}", email
        )
    return email.strip().lower()


def safe_next(target: str | None, own_host: str) -> str:
    """Where to send the browser once signed in: a path here, or an address on this host (the
    console may listen on another port); anything else, and nothing, is `/`. Never another
    site, so the sign-in link cannot be turned into a redirect elsewhere."""
    if not target or "\\" in target or any(ord(c) < 0x20 for c in target):
        return "/"
    parts = urlsplit(target)
    if not parts.scheme and not parts.netloc:
        return target if target.startswith("/") else "/"
    if parts.scheme in ("http", "https") and parts.hostname == own_host:
        return target
    return "/"
