"""What an inbound email does: the order of the rules in `email.decisions.decide`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from escalator_intake.domain.ticket_rules import TicketStatus
from escalator_intake.email.decisions import (
    EmailOutcome,
    Sender,
    ThreadedTicket,
    decide,
)
from escalator_intake.email.loops import MailKind

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=7)
CUSTOMER = Sender("dana@acme.example", "acme", None)
STRANGER = Sender("eve@unknown.example", None, None)
OTHER_CLIENT = Sender("kim@globex.example", "globex", None)
TECHNICIAN = Sender("alice@msp.example", None, "alice")


def _ticket(
    status: TicketStatus = TicketStatus.IN_PROGRESS,
    resolved_ago: timedelta | None = None,
    hold_reason: str | None = None,
    requester: str | None = None,
) -> ThreadedTicket:
    resolved_at = NOW - resolved_ago if resolved_ago is not None else None
    return ThreadedTicket("t-1", "acme", status, resolved_at, hold_reason, requester)


def _decide(
    sender: Sender,
    ticket: ThreadedTicket | None = None,
    kind: MailKind = MailKind.NORMAL,
    rmm: bool = False,
    unknown_sender_client: str | None = None,
) -> tuple[EmailOutcome, str | None, str | None]:
    decision = decide(
        kind,
        is_rmm_alert=rmm,
        ticket=ticket,
        sender=sender,
        unknown_sender_client=unknown_sender_client,
        now=NOW,
        reopen_window=WINDOW,
    )
    return decision.outcome, decision.client_id, decision.ticket_id


@pytest.mark.parametrize("kind", [k for k in MailKind if k is not MailKind.NORMAL])
def test_robots_never_act_even_on_a_threaded_ticket_or_as_rmm_alerts(kind: MailKind) -> None:
    assert _decide(CUSTOMER, _ticket(), kind=kind, rmm=True) == (EmailOutcome.IGNORED, None, None)


def test_an_rmm_alert_email_is_an_alert_before_any_threading() -> None:
    assert _decide(STRANGER, _ticket(), rmm=True)[0] is EmailOutcome.ALERT


def test_new_mail_opens_a_ticket_for_the_senders_client() -> None:
    assert _decide(CUSTOMER) == (EmailOutcome.OPENED, "acme", None)


def test_unknown_senders_are_unmatched_unless_a_client_takes_them() -> None:
    assert _decide(STRANGER) == (EmailOutcome.UNMATCHED, None, None)
    assert _decide(STRANGER, unknown_sender_client="acme") == (EmailOutcome.OPENED, "acme", None)


def test_a_reply_to_an_open_ticket_is_a_note() -> None:
    assert _decide(CUSTOMER, _ticket()) == (EmailOutcome.NOTE, "acme", "t-1")


def test_a_customer_reply_resumes_a_ticket_held_for_the_customer_only() -> None:
    held = _ticket(TicketStatus.ON_HOLD, hold_reason="awaiting_customer")
    vendor = _ticket(TicketStatus.ON_HOLD, hold_reason="awaiting_vendor")

    def resumes(sender: Sender, ticket: ThreadedTicket) -> bool:
        return decide(
            MailKind.NORMAL,
            is_rmm_alert=False,
            ticket=ticket,
            sender=sender,
            unknown_sender_client=None,
            now=NOW,
            reopen_window=WINDOW,
        ).resumes_work

    assert resumes(CUSTOMER, held)
    assert not resumes(CUSTOMER, vendor)
    assert not resumes(TECHNICIAN, held)


def test_a_reply_after_resolve_reopens_within_the_window_and_follows_up_after_it() -> None:
    inside = _ticket(TicketStatus.RESOLVED, resolved_ago=WINDOW)
    outside = _ticket(TicketStatus.RESOLVED, resolved_ago=WINDOW + timedelta(seconds=1))
    assert _decide(CUSTOMER, inside) == (EmailOutcome.REOPENED, "acme", "t-1")
    assert _decide(CUSTOMER, outside) == (EmailOutcome.FOLLOW_UP, "acme", "t-1")


@pytest.mark.parametrize("status", [TicketStatus.CLOSED, TicketStatus.CANCELLED])
def test_a_reply_to_a_closed_or_cancelled_ticket_opens_a_follow_up(status: TicketStatus) -> None:
    assert _decide(CUSTOMER, _ticket(status))[0] is EmailOutcome.FOLLOW_UP


def test_only_the_tickets_client_its_requester_or_staff_may_reply() -> None:
    assert _decide(OTHER_CLIENT, _ticket())[0] is EmailOutcome.UNMATCHED
    assert _decide(STRANGER, _ticket())[0] is EmailOutcome.UNMATCHED
    personal = _ticket(requester="EVE@unknown.example")
    assert _decide(STRANGER, personal)[0] is EmailOutcome.NOTE
    assert _decide(TECHNICIAN, _ticket())[0] is EmailOutcome.NOTE


VENDOR = Sender("m365-support@vendor.example", None, None, vendor_id="microsoft")


@pytest.mark.parametrize("status", list(TicketStatus))
def test_a_vendors_reply_on_a_ticket_is_its_answer_whatever_the_tickets_state(
    status: TicketStatus,
) -> None:
    assert _decide(VENDOR, _ticket(status)) == (EmailOutcome.VENDOR_REPLY, "acme", "t-1")


def test_new_mail_from_a_vendor_threading_nowhere_opens_nothing() -> None:
    assert _decide(VENDOR) == (EmailOutcome.UNMATCHED, None, None)
