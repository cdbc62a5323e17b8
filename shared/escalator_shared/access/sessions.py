"""Signed-in sessions: a short-lived issued token carried in a cookie, with a CSRF token.

A session is an API token of kind `session` (so it travels on the access topic like any other,
and signing out revokes it everywhere). Cookies are per host, not per port, so every service of
one host receives it. Requests authenticated by the cookie that change anything must also send
the CSRF token (header `X-CSRF-Token`), which only a page of ours can read from the
`escalator_csrf` cookie: a forged cross-site form cannot send it.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

SESSION_COOKIE = "escalator_session"
CSRF_COOKIE = "escalator_csrf"
CSRF_HEADER = "x-csrf-token"
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# Sign-in failures: this many for one account (or ten times as many from one address) within
# the window lock further attempts until the window has passed.
FAILURES_ALLOWED = 5
FAILURE_WINDOW = timedelta(minutes=15)


def csrf_token(session_token: str) -> str:
    """The CSRF token bound to a session (anyone holding the session can derive it)."""
    return hashlib.sha256(f"csrf:{session_token}".encode()).hexdigest()


def csrf_matches(session_token: str, presented: str | None) -> bool:
    """Whether the presented CSRF token is the session's, in constant time."""
    return presented is not None and hmac.compare_digest(csrf_token(session_token), presented)


def session_expiry(now: datetime, started_at: datetime) -> datetime:
    """When an active session lapses: after the idle timeout, never past the absolute one."""
    return min(now + IDLE_TIMEOUT, started_at + ABSOLUTE_TIMEOUT)


def locked_until(failures: list[datetime], now: datetime, allowed: int) -> datetime | None:
    """When attempts may resume, if `allowed` failures already fell within the window."""
    recent = sorted(at for at in failures if at > now - FAILURE_WINDOW)
    if len(recent) < allowed:
        return None
    return recent[-allowed] + FAILURE_WINDOW
