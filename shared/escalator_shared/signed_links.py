"""Signed one-click action links (acknowledge, resolve) that notifications carry.

A token is `base64url(ticket|action|person|expiry).base64url(HMAC-SHA256)`; it proves who may do
what to which ticket until when, without a login. Verification is constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

ACTIONS = frozenset({"acknowledge", "resolve"})


class InvalidLinkError(ValueError):
    """The token is malformed, forged, or for an unknown action."""


class ExpiredLinkError(ValueError):
    """The token was genuine but its time is up."""


@dataclass(frozen=True)
class SignedAction:
    """What a valid token allows."""

    ticket_id: str
    action: str
    person: str
    expires_at: datetime


def sign_action(secret: str, action: SignedAction) -> str:
    """The token for an action."""
    if action.action not in ACTIONS:
        raise ValueError(f"unknown action {action.action!r}")
    message = "|".join(
        [action.ticket_id, action.action, action.person, str(int(action.expires_at.timestamp()))]
    ).encode()
    return f"{_b64(message)}.{_b64(_mac(secret, message))}"


def verify_action(secret: str, token: str, now: datetime) -> SignedAction:
    """The action a token allows; InvalidLinkError or ExpiredLinkError otherwise."""
    try:
        encoded_message, encoded_mac = token.split(".")
        message, mac = _unb64(encoded_message), _unb64(encoded_mac)
        ticket_id, action, person, expiry = message.decode().split("|")
        expires_at = datetime.fromtimestamp(int(expiry), UTC)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidLinkError("the link is not valid") from exc
    if not hmac.compare_digest(mac, _mac(secret, message)) or action not in ACTIONS:
        raise InvalidLinkError("the link is not valid")
    if now >= expires_at:
        raise ExpiredLinkError(f"the link expired at {expires_at:%Y-%m-%d %H:%M} UTC")
    return SignedAction(ticket_id, action, person, expires_at)


def _mac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def action_url(public_url: str, console_url: str | None, token: str) -> str:
    """Where a one-click link points: the console's confirmation page when there is a console,
    else intake's own."""
    if console_url:
        return f"{console_url.rstrip('/')}/actions/{token}"
    return f"{public_url.rstrip('/')}/v1/actions/{token}"
