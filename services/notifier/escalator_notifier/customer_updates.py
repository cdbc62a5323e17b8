"""Status updates to the person who asked: received, escalated, resolved.

Emailed to the requester, threaded on their original message (its Message-ID in In-Reply-To
and References), naming the response and resolution targets of the ticket's SLA policy. Which
updates go out: the client's `customer_updates`, else `notifications.customer_updates`.
"""

from __future__ import annotations

from typing import Any

from escalator_notifier.domain.notice_context import TicketView
from escalator_notifier.notice_queue import Notice, NoticeQueue
from escalator_shared.bus.dispatcher import HandlerContext
from escalator_shared.config import EscalatorConfig
from escalator_shared.config.sla import SAME_BUSINESS_DAY, TargetValue, target_for
from escalator_shared.events import Priority


def thread_of(ticket: TicketView) -> tuple[str, ...]:
    """The Message-IDs a message to the requester answers (their original email)."""
    return (ticket.requester_message_id,) if ticket.requester_message_id else ()


class CustomerUpdates:
    """Queues the updates the client wants its requesters to get."""

    def __init__(self, config: EscalatorConfig, queue: NoticeQueue) -> None:
        self._config = config
        self._queue = queue

    async def tell(
        self,
        ctx: HandlerContext,
        ticket: TicketView,
        update: str,
        variables: dict[str, Any],
        *,
        trigger: str | None = None,
    ) -> None:
        """Queue the update `customer_{update}` to the requester, if the client wants it."""
        if ticket.requester is None or update not in self._wanted(ticket.client_id):
            return
        notice = Notice(
            f"customer_{update}",
            Priority(ticket.priority),
            {**variables, "msp_name": self._config.notifications.msp_name},
        )
        await self._queue.to_address(
            ctx, ticket, notice, ticket.requester, trigger=trigger, thread=thread_of(ticket)
        )

    def expected(
        self,
        ticket: TicketView,
        priority: Priority,
        ticket_type: str = "request",
        source: str = "email",
    ) -> dict[str, str]:
        """The response and resolution targets of the ticket's SLA policy, in words."""
        policy = self._config.sla_policy_for(
            ticket.client_id,
            priority,
            ticket_type,  # type: ignore[arg-type]
            source,
        )
        if policy is None:
            return {}
        expected = {}
        for metric, targets in (("response", policy.response), ("resolution", policy.resolution)):
            if targets:
                expected[metric] = target_words(target_for(targets, priority))
        return expected

    def _wanted(self, client_id: str) -> list[str]:
        try:
            chosen = self._config.client(client_id).customer_updates
        except KeyError:  # a client no longer configured keeps the defaults
            chosen = None
        return list(chosen if chosen is not None else self._config.notifications.customer_updates)


def target_words(target: TargetValue) -> str:
    """'15 minutes', '1 hour', '24 hours', 'the same business day'."""
    if isinstance(target, str):
        return "the same business day" if target == SAME_BUSINESS_DAY else target
    minutes = round(target.total_seconds() / 60)
    if minutes < 60 or minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"
