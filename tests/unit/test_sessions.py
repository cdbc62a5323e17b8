"""Session rules: idle and absolute expiry, the CSRF token bound to a session, lockout windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from escalator_shared.access.sessions import (
    ABSOLUTE_TIMEOUT,
    FAILURE_WINDOW,
    IDLE_TIMEOUT,
    csrf_matches,
    csrf_token,
    locked_until,
    session_expiry,
)

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_a_session_lapses_when_idle_and_never_outlives_its_absolute_end() -> None:
    assert session_expiry(NOW, NOW) == NOW + IDLE_TIMEOUT
    late = NOW + ABSOLUTE_TIMEOUT - timedelta(minutes=5)
    assert session_expiry(late, NOW) == NOW + ABSOLUTE_TIMEOUT


def test_the_csrf_token_belongs_to_its_session() -> None:
    token = csrf_token("ses_one")
    assert csrf_matches("ses_one", token)
    assert not csrf_matches("ses_two", token)
    assert not csrf_matches("ses_one", None)
    assert not csrf_matches("ses_one", "")


def test_failures_lock_only_when_enough_fall_within_the_window() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert locked_until(failures, NOW, 5) is None
    failures.append(NOW - timedelta(minutes=20))  # outside the window: does not count
    assert locked_until(failures, NOW, 5) is None
    failures.append(NOW - timedelta(minutes=5))
    assert locked_until(failures, NOW, 5) == NOW - timedelta(minutes=5) + FAILURE_WINDOW
