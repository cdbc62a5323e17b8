"""What a notification says, as pure functions of the event and the ticket."""

from __future__ import annotations

from dataclasses import dataclass

from escalator_shared.events import SlaBreached, TicketRouted


@dataclass(frozen=True)
class Message:
    """Subject and plain-text body."""

    subject: str
    body: str


def routed_message(ticket_id: str, client_id: str, routed: TicketRouted) -> Message:
    """Tell the assignee a ticket is theirs."""
    return Message(
        subject=f"[{routed.priority}] Assigned to you: {routed.title}",
        body=(
            f"Ticket {ticket_id} for client {client_id} is assigned to you.\n\n"
            f"Title: {routed.title}\nPriority: {routed.priority}\nTier: {routed.tier}"
            + (f" ({routed.team})" if routed.team else "")
            + f"\nRouting rule: {routed.rule}\n\n"
            "Please acknowledge it before its response SLA runs out.\n"
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
