"""What one inbound email does, decided from what is known about it (no I/O).

The caller parses and classifies the message, looks up the ticket it threads into and the client
of its sender, and asks `decide`. The order of the checks is the policy:

1. Robots never act on tickets: anything but normal mail is `ignored` (the kind says why).
2. An alert email of an email-only RMM becomes an `alert` (deduplicated like any alert).
3. A reply to a known ticket: from someone who may touch that ticket (the ticket's client's
   domain, its requester, or staff) it becomes a `note` on an open ticket, `reopened` on a ticket
   resolved within the reopen window, or a `follow_up` ticket of the same client otherwise
   (closed, cancelled, or resolved long ago). From a vendor of the directory (its support
   address's domain) it is a `vendor_reply`: an internal note, and the vendor's response on its
   case. From anyone else it is `unmatched`.
4. New mail from a client's domain `opened` a ticket; from an unknown domain it is `unmatched`
   (kept for an operator) unless the configuration names a client for unknown senders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from escalator_intake.domain.ticket_rules import ENDED, HoldReason, TicketStatus
from escalator_intake.email.loops import MailKind

__all__ = ["REPLAYABLE", "Decision", "EmailOutcome", "Sender", "ThreadedTicket", "decide"]


class EmailOutcome(StrEnum):
    """What became of an inbound email; stored with it and shown to operators."""

    OPENED = "opened"
    FOLLOW_UP = "follow_up"
    NOTE = "note"
    VENDOR_REPLY = "vendor_reply"
    REOPENED = "reopened"
    ALERT = "alert"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"
    UNMATCHED = "unmatched"
    UNPARSEABLE = "unparseable"


# Outcomes a configuration change can alter, so an operator may have such mail read again; any
# other outcome already acted on tickets (or was a robot's mail).
REPLAYABLE = frozenset({EmailOutcome.UNMATCHED.value, EmailOutcome.UNPARSEABLE.value})


@dataclass(frozen=True)
class ThreadedTicket:
    """The ticket a reply threads into, as far as the decision needs it."""

    id: str
    client_id: str
    status: TicketStatus
    resolved_at: datetime | None
    hold_reason: str | None
    requester: str | None


@dataclass(frozen=True)
class Sender:
    """Who sent the email: address, the client owning its domain, the staff member it is."""

    address: str
    client_id: str | None
    staff_person: str | None
    vendor_id: str | None = None


@dataclass(frozen=True)
class Decision:
    """The outcome, the client it concerns, the ticket it acts on, and why (for operators)."""

    outcome: EmailOutcome
    detail: str
    client_id: str | None = None
    ticket_id: str | None = None
    # A reply that takes an on-hold-awaiting-customer ticket back into work.
    resumes_work: bool = False


def decide(
    kind: MailKind,
    *,
    is_rmm_alert: bool,
    ticket: ThreadedTicket | None,
    sender: Sender,
    unknown_sender_client: str | None,
    now: datetime,
    reopen_window: timedelta,
) -> Decision:
    """What the email does; see the module docstring for the order of the rules."""
    if kind is not MailKind.NORMAL:
        return Decision(EmailOutcome.IGNORED, f"{kind.value} mail never acts on tickets")
    if is_rmm_alert:
        return Decision(EmailOutcome.ALERT, "an alert email of an RMM")
    if ticket is not None:
        return _reply(ticket, sender, now, reopen_window)
    client = sender.client_id or unknown_sender_client
    if client is None:
        return Decision(
            EmailOutcome.UNMATCHED,
            f"no client lists the domain of {sender.address or 'the sender'} and the mail "
            "threads into no ticket",
        )
    why = "the sender's domain" if sender.client_id else "email.unknown_sender_client"
    return Decision(EmailOutcome.OPENED, f"a new request; client by {why}", client_id=client)


def _reply(
    ticket: ThreadedTicket, sender: Sender, now: datetime, reopen_window: timedelta
) -> Decision:
    if sender.vendor_id is not None and sender.staff_person is None:
        return Decision(
            EmailOutcome.VENDOR_REPLY,
            f"{sender.vendor_id} answered on ticket {ticket.id}",
            client_id=ticket.client_id,
            ticket_id=ticket.id,
        )
    if not _may_touch(ticket, sender):
        return Decision(
            EmailOutcome.UNMATCHED,
            f"{sender.address or 'the sender'} replied to ticket {ticket.id} of client "
            f"{ticket.client_id} but is neither of that client nor staff",
            ticket_id=ticket.id,
        )
    client = ticket.client_id
    if ticket.status not in ENDED:
        resumes = (
            ticket.status is TicketStatus.ON_HOLD
            and ticket.hold_reason == HoldReason.AWAITING_CUSTOMER.value
            and sender.staff_person is None
        )
        return Decision(
            EmailOutcome.NOTE,
            "a reply to an open ticket",
            client_id=client,
            ticket_id=ticket.id,
            resumes_work=resumes,
        )
    if (
        ticket.status is TicketStatus.RESOLVED
        and ticket.resolved_at is not None
        and now - ticket.resolved_at <= reopen_window
    ):
        return Decision(
            EmailOutcome.REOPENED,
            "a reply within the reopen window after resolve",
            client_id=client,
            ticket_id=ticket.id,
        )
    return Decision(
        EmailOutcome.FOLLOW_UP,
        f"a reply to ticket {ticket.id}, which is {ticket.status.value} beyond reopening",
        client_id=client,
        ticket_id=ticket.id,
    )


def _may_touch(ticket: ThreadedTicket, sender: Sender) -> bool:
    if sender.staff_person is not None or sender.client_id == ticket.client_id:
        return True
    requester = (ticket.requester or "").casefold()
    return bool(requester) and requester == sender.address.casefold()
