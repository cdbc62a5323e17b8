"""What a notification says, as pure functions of the event and the ticket."""

from __future__ import annotations

from dataclasses import dataclass

from escalator_shared.events import EscalationStepReached, RespondersPaged, SlaBreached


@dataclass(frozen=True)
class Message:
    """Subject and plain-text body."""

    subject: str
    body: str


def step_message(ticket_id: str, client_id: str, reached: EscalationStepReached) -> Message:
    """Page the people of an escalation step: a new ticket is theirs, or it escalated to them."""
    first_page = reached.step == 0 and reached.round == 0 and reached.reason == "routed"
    if first_page:
        subject = f"[{reached.priority}] Assigned to you: {reached.title}"
        opening = f"Ticket {ticket_id} for client {client_id} is assigned to you."
    else:
        why = reached.reason.replace("_", " ")
        subject = f"[{reached.priority}] Escalated to you ({why}): {reached.title}"
        opening = (
            f"Ticket {ticket_id} for client {client_id} escalated to step {reached.step + 1} "
            f"({reached.step_name}) because: {why}."
        )
    deadline = (
        f"\nIf nobody acknowledges it by {reached.next_escalation_at:%Y-%m-%d %H:%M:%S} UTC, "
        "it escalates further.\n"
        if reached.next_escalation_at
        else "\n"
    )
    return Message(
        subject=subject,
        body=(
            f"{opening}\n\nTitle: {reached.title}\nPriority: {reached.priority}\n"
            f"Escalation policy: {reached.policy}, step {reached.step + 1} ({reached.step_name})\n"
            f"{deadline}\nPlease acknowledge it.\n"
        ),
    )


def paged_message(ticket_id: str, client_id: str, paged: RespondersPaged) -> Message:
    """Call someone in outside the chain (a manager, the executives)."""
    why = paged.reason.replace("_", " ")
    return Message(
        subject=f"[{paged.priority}] Your attention ({why}): {paged.title}",
        body=(
            f"You are called in on ticket {ticket_id} for client {client_id} because: {why}"
            + (f" ({paged.detail})" if paged.detail else "")
            + ".\n\n"
            f"Title: {paged.title}\nPriority: {paged.priority}\n"
        ),
    )


def breach_message(
    ticket_id: str, client_id: str, title: str, priority: str, breached: SlaBreached
) -> Message:
    """Tell the assignee a ticket breached its SLA."""
    minutes = breached.target_seconds / 60
    return Message(
        subject=f"[{priority}] SLA BREACHED ({breached.metric}): {title}",
        body=(
            f"Ticket {ticket_id} for client {client_id} breached its {breached.metric} SLA.\n\n"
            f"Title: {title}\nPriority: {priority}\nPolicy: {breached.policy} "
            f"(target {minutes:g} min)\nDue at: {breached.due_at:%Y-%m-%d %H:%M:%S} UTC\n"
            f"Breached at: {breached.breached_at:%Y-%m-%d %H:%M:%S} UTC\n"
        ),
    )
