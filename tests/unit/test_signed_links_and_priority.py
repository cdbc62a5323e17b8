"""One-click link tokens, the ITIL priority matrix and the direct status rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from escalator_intake.domain.ticket_rules import (
    HoldReason,
    TicketStatus,
    TransitionRefusedError,
    check_reopen,
    check_set_status,
)
from escalator_shared.events import Priority
from escalator_shared.priority import Level, priority_for
from escalator_shared.signed_links import (
    ExpiredLinkError,
    InvalidLinkError,
    SignedAction,
    sign_action,
    verify_action,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ACTION = SignedAction("t-1", "acknowledge", "alice", NOW + timedelta(hours=1))


def test_a_signed_link_verifies_until_it_expires() -> None:
    token = sign_action("secret", ACTION)
    assert verify_action("secret", token, NOW) == ACTION
    with pytest.raises(ExpiredLinkError, match="expired"):
        verify_action("secret", token, NOW + timedelta(hours=2))


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t.replace(t[3], "A" if t[3] != "A" else "B", 1),  # payload changed
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: t.split(".")[0],  # no signature
        lambda _t: "garbage",
        lambda _t: "",
    ],
)
def test_a_tampered_link_is_refused(mangle: object) -> None:
    token = sign_action("secret", ACTION)
    with pytest.raises(InvalidLinkError):
        verify_action("secret", mangle(token), NOW)  # type: ignore[operator]


def test_another_secret_does_not_verify() -> None:
    with pytest.raises(InvalidLinkError):
        verify_action("other", sign_action("secret", ACTION), NOW)


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [
        (Level.HIGH, Level.HIGH, Priority.P1),
        (Level.HIGH, Level.LOW, Priority.P3),
        (Level.MEDIUM, Level.MEDIUM, Priority.P3),
        (Level.LOW, Level.HIGH, Priority.P3),
        (Level.LOW, Level.LOW, Priority.P5),
    ],
)
def test_itil_matrix(impact: Level, urgency: Level, priority: Priority) -> None:
    assert priority_for(impact, urgency) == priority


def test_status_rules() -> None:
    check_set_status(
        TicketStatus.NEW, TicketStatus.ON_HOLD, HoldReason.AWAITING_CUSTOMER, "technician"
    )
    with pytest.raises(TransitionRefusedError, match="needs a hold_reason"):
        check_set_status(TicketStatus.NEW, TicketStatus.ON_HOLD, None, "technician")
    with pytest.raises(TransitionRefusedError, match="needs a manager"):
        check_set_status(TicketStatus.NEW, TicketStatus.CANCELLED, None, "technician")
    check_set_status(TicketStatus.NEW, TicketStatus.CANCELLED, None, "manager")
    with pytest.raises(TransitionRefusedError, match="own command"):
        check_set_status(TicketStatus.NEW, TicketStatus.RESOLVED, None, "admin")
    with pytest.raises(TransitionRefusedError, match="reopen it first"):
        check_set_status(TicketStatus.RESOLVED, TicketStatus.IN_PROGRESS, None, "admin")
    check_reopen(TicketStatus.RESOLVED)
    with pytest.raises(TransitionRefusedError, match="only a resolved ticket"):
        check_reopen(TicketStatus.CLOSED)
