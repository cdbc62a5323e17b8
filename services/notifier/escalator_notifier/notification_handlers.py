"""Notifier handlers: remember tickets, turn events into notices, cancel what is no longer due.

Whom each notice reaches:
- assigned / escalated: the people of the escalation step (urgent: the backup too);
- paged: the people called in outside the chain;
- SLA warning: the assignee (from 75 %: the team's manager too); breach: assignee and manager;
  breach reminders: the assignee;
- vendor updates: the assignee;
- customer updates (received, escalated, resolved): the requester, threaded on their email.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, update

from escalator_notifier import ticket_store
from escalator_notifier.customer_updates import CustomerUpdates, thread_of
from escalator_notifier.domain.notice_context import (
    ClockEvent,
    TicketView,
    clock_state,
    duration_words,
    when,
)
from escalator_notifier.notice_queue import Notice, NoticeQueue, PeopleNotice
from escalator_notifier.notifier_metrics import NotifierMetrics
from escalator_notifier.tables import (
    BUNDLED,
    CANCELLED,
    IN_DIGEST,
    PENDING,
    assignments,
    deliveries,
    tickets,
)
from escalator_shared.bus.dispatcher import Batched, HandlerContext, HandlerRegistry
from escalator_shared.config import EscalatorConfig
from escalator_shared.errors import NotReadyError, PermanentError
from escalator_shared.events import (
    EscalationStepReached,
    NotificationRequested,
    Priority,
    RespondersPaged,
    SlaBreached,
    SlaBreachReminded,
    SlaClockPaused,
    SlaClockResumed,
    SlaClockRetargeted,
    SlaClockStarted,
    SlaClockStopped,
    SlaWarningReached,
    TicketAcknowledged,
    TicketOpened,
    TicketPriorityChanged,
    TicketReopened,
    TicketResolved,
    TicketRouted,
    VendorCaseAcknowledged,
    VendorCaseOpened,
    VendorCaseResolved,
)
from escalator_shared.events.catalogue import ASSIGNEE_RECIPIENT

collections = deliveries.alias("collections")
PERSON_KINDS = ("assigned", "escalated", "paged", "sla_warning", "sla_breached", "vendor_update")
MANAGER_FROM_PERCENT = 75
# Pages of a step that tell the customer nothing: the chain restarted, it did not move up.
_NOT_ESCALATIONS = frozenset({"reopened", "flapping"})


@dataclass(frozen=True)
class NotificationHandlers:
    """Handlers of the tickets, routing, sla, vendor and notifications topics."""

    config: EscalatorConfig
    queue: NoticeQueue
    metrics: NotifierMetrics
    customers: CustomerUpdates

    # --- what the notifier remembers -------------------------------------------------------

    async def on_opened(self, opened: TicketOpened, ctx: HandlerContext) -> None:
        """Remember the ticket; tell a requester their request arrived."""
        message_id = opened.requester_message_id
        await ticket_store.upsert(
            ctx.uow.session,
            tickets,
            {"ticket_id": ctx.envelope.ticket_id},
            {
                "client_id": ctx.envelope.client_id,
                "reference": opened.reference,
                "title": opened.title,
                "priority": opened.priority.value,
                "ticket_type": opened.ticket_type,
                "source": opened.source,
                "requester": opened.requester,
                "requester_message_id": message_id,
                "opened_at": opened.opened_at,
                "acknowledged": False,
                "resolved": False,
            },
        )
        if opened.drill:
            return
        ticket = await self._view(ctx)
        targets = self.customers.expected(
            ticket, opened.priority, opened.ticket_type, opened.source
        )
        await self.customers.tell(ctx, ticket, "received", {"expected": targets})

    async def on_routed(self, routed: TicketRouted, ctx: HandlerContext) -> None:
        """Remember the assignment (its first page comes as escalation step 0)."""
        await ticket_store.upsert(
            ctx.uow.session,
            assignments,
            {"ticket_id": ctx.envelope.ticket_id},
            {
                "client_id": ctx.envelope.client_id,
                "title": routed.title,
                "priority": routed.priority.value,
                "tier": routed.tier,
                "assignee": routed.assignee,
                "backup": routed.backup,
                "team": routed.team,
                "policy": routed.escalation_policy,
            },
        )

    async def on_priority_changed(
        self, changed: TicketPriorityChanged, ctx: HandlerContext
    ) -> None:
        """Keep the priority messages show."""
        ticket_id = ctx.envelope.ticket_id
        for table in (assignments, tickets):
            await ctx.uow.session.execute(
                update(table)
                .where(table.c.ticket_id == ticket_id)
                .values(priority=changed.priority.value)
            )

    async def on_clock(self, event: ClockEvent, ctx: HandlerContext) -> None:
        """Remember a clock's state, so messages can say how long is left."""
        state, due_at, remaining = clock_state(event)
        await ticket_store.set_clock(
            ctx.uow.session,
            ctx.envelope.ticket_id,
            event.metric,
            state,
            due_at=due_at,
            remaining_seconds=remaining,
        )

    async def on_acknowledged(self, _acked: TicketAcknowledged, ctx: HandlerContext) -> None:
        """Someone has it: repeats of its pages stop."""
        await ticket_store.set_ticket(ctx.uow.session, ctx.envelope.ticket_id, acknowledged=True)
        await self._cancel(ctx, repeats_only=True)

    async def on_resolved(self, resolved: TicketResolved, ctx: HandlerContext) -> None:
        """Resolved: pending pages, repeats and warnings are cancelled; the requester is told."""
        await ticket_store.set_ticket(ctx.uow.session, ctx.envelope.ticket_id, resolved=True)
        await self._cancel(ctx, repeats_only=False)
        ticket = await self._view(ctx)
        await self.customers.tell(ctx, ticket, "resolved", {"event": resolved.model_dump()})

    async def on_reopened(self, _reopened: TicketReopened, ctx: HandlerContext) -> None:
        """Open again: nobody has acknowledged this round."""
        await ticket_store.set_ticket(
            ctx.uow.session, ctx.envelope.ticket_id, acknowledged=False, resolved=False
        )

    # --- notices to staff ---------------------------------------------------------------------

    async def on_steps_reached(
        self, run: list[tuple[EscalationStepReached, HandlerContext]]
    ) -> None:
        """Page each step's people: a new ticket is theirs, or it escalated to them. A run of
        steps at once: their tickets' views in one query, their deliveries in one statement."""
        session = run[0][1].uow.session
        views = await ticket_store.load_views(
            session, self.config, [(c.envelope.ticket_id, c.envelope.client_id) for _, c in run]
        )
        pages: list[PeopleNotice] = []
        for reached, ctx in run:
            ticket = views[ctx.envelope.ticket_id] or self._bare_view(
                ctx, reached.title, reached.priority
            )
            pages.append(self._page(reached, ctx, ticket))
            if not _first_page(reached) and reached.reason not in _NOT_ESCALATIONS:
                await self._tell_customer_escalated(reached, ctx, ticket)
        await self.queue.to_people_many(pages)

    async def _tell_customer_escalated(
        self, reached: EscalationStepReached, ctx: HandlerContext, ticket: TicketView
    ) -> None:
        tier = ticket.tier or "a more senior team"
        escalated_to = next((t.name for t in self.config.tiers if t.id == ticket.tier), tier)
        await self.customers.tell(
            ctx,
            ticket,
            "escalated",
            {
                "escalated_to": escalated_to,
                "expected": self.customers.expected(ticket, reached.priority),
            },
            trigger=f"customer-escalated:{ctx.envelope.ticket_id}",
        )

    def _page(
        self, reached: EscalationStepReached, ctx: HandlerContext, ticket: TicketView
    ) -> PeopleNotice:
        people = list(reached.people)
        urgent = self.config.notifications.is_urgent(reached.priority)
        if urgent and ticket.backup and ticket.assignee in people:
            people.append(ticket.backup)
        step = {
            "policy": reached.policy,
            "number": reached.step + 1,
            "name": reached.step_name,
            "round": reached.round + 1,
            "next_escalation_at": when(reached.next_escalation_at)
            if reached.next_escalation_at
            else None,
        }
        kind = "assigned" if _first_page(reached) else "escalated"
        variables = {"step": step, "reason": _words(reached.reason), "event": reached.model_dump()}
        return PeopleNotice(ctx, ticket, Notice(kind, reached.priority, variables), tuple(people))

    async def on_paged(self, paged: RespondersPaged, ctx: HandlerContext) -> None:
        """Call in people outside the chain's steps (a manager, the executives)."""
        ticket = await self._view(ctx, title=paged.title, priority=paged.priority)
        variables = {"reason": _words(paged.reason), "event": paged.model_dump()}
        await self.queue.to_people(
            ctx, ticket, Notice("paged", paged.priority, variables), paged.people
        )

    async def on_warning(self, warning: SlaWarningReached, ctx: HandlerContext) -> None:
        """Warn the assignee (and from 75 % the team's manager) before a clock breaches."""
        ticket = await self._routed_view(ctx)
        people = self._assignee_and_manager(ticket, manager=warning.percent >= MANAGER_FROM_PERCENT)
        variables = {"event": warning.model_dump(), "due_at": when(warning.due_at)}
        await self.queue.to_people(
            ctx, ticket, Notice("sla_warning", Priority(ticket.priority), variables), people
        )

    async def on_breached(self, breached: SlaBreached, ctx: HandlerContext) -> None:
        """Tell the assignee and the team's manager a clock breached."""
        ticket = await self._routed_view(ctx)
        people = self._assignee_and_manager(ticket, manager=True)
        variables = {
            "event": breached.model_dump(),
            "due_at": when(breached.due_at),
            "breached_at": when(breached.breached_at),
        }
        await self.queue.to_people(
            ctx, ticket, Notice("sla_breached", Priority(ticket.priority), variables), people
        )

    async def on_breach_reminded(self, reminded: SlaBreachReminded, ctx: HandlerContext) -> None:
        """Remind the assignee the ticket is still past its target."""
        ticket = await self._routed_view(ctx)
        variables = {
            "event": reminded.model_dump(),
            "due_at": when(reminded.due_at),
            "overdue": duration_words(reminded.overdue_seconds),
        }
        await self.queue.to_people(
            ctx,
            ticket,
            Notice("sla_breached", Priority(ticket.priority), variables),
            self._assignee_and_manager(ticket, manager=False),
        )

    async def on_vendor_opened(self, opened: VendorCaseOpened, ctx: HandlerContext) -> None:
        """Tell the assignee the vendor case is open."""
        await self._vendor_update(ctx, opened.model_dump(), "opened")

    async def on_vendor_acknowledged(
        self, acked: VendorCaseAcknowledged, ctx: HandlerContext
    ) -> None:
        """Tell the assignee the vendor answered."""
        await self._vendor_update(ctx, acked.model_dump(), "acknowledged by the vendor")

    async def on_vendor_resolved(self, resolved: VendorCaseResolved, ctx: HandlerContext) -> None:
        """Tell the assignee the vendor resolved its case."""
        await self._vendor_update(ctx, resolved.model_dump(), "resolved by the vendor")

    async def on_requested(self, requested: NotificationRequested, ctx: HandlerContext) -> None:
        """Queue a message another service worded (e.g. the client's vendor update).

        The recipient is an address, a person id, or `assignee`: whoever has the ticket (none
        yet: nobody is told)."""
        if requested.channel != "email":
            raise PermanentError(
                f"the notifier takes worded messages by email only, not {requested.channel!r}"
            )
        variables = {"event": requested.model_dump()}
        if requested.recipient == ASSIGNEE_RECIPIENT:
            ticket = await self._routed_view(ctx)
            people = [ticket.assignee] if ticket.assignee else []
        else:
            ticket = await self._view(ctx)
            people = [] if "@" in requested.recipient else [requested.recipient]
        notice = Notice("message", Priority(ticket.priority), variables)
        if people:
            await self.queue.to_people(ctx, ticket, notice, people)
        elif "@" in requested.recipient:
            await self.queue.to_address(
                ctx, ticket, notice, requested.recipient, thread=thread_of(ticket)
            )

    # --- helpers ----------------------------------------------------------------------------------

    async def _vendor_update(self, ctx: HandlerContext, event: dict[str, Any], status: str) -> None:
        ticket = await self._routed_view(ctx)
        if ticket.assignee is None:
            return
        variables = {"event": event, "vendor_status": status}
        await self.queue.to_people(
            ctx,
            ticket,
            Notice("vendor_update", Priority(ticket.priority), variables),
            [ticket.assignee],
        )

    async def _view(
        self, ctx: HandlerContext, *, title: str | None = None, priority: Priority | None = None
    ) -> TicketView:
        ticket = await ticket_store.load_view(
            ctx.uow.session, self.config, ctx.envelope.ticket_id, ctx.envelope.client_id
        )
        return ticket or self._bare_view(ctx, title, priority)

    def _bare_view(
        self, ctx: HandlerContext, title: str | None, priority: Priority | None
    ) -> TicketView:
        """What the event itself tells of a ticket whose opening has not arrived."""
        if title is None or priority is None:
            raise NotReadyError("the ticket's opening has not reached the notifier yet")
        return TicketView(
            ticket_id=ctx.envelope.ticket_id,
            client_id=ctx.envelope.client_id,
            client_name=ticket_store.client_name(self.config, ctx.envelope.client_id),
            title=title,
            priority=priority.value,
        )

    async def _routed_view(self, ctx: HandlerContext) -> TicketView:
        ticket = await self._view(ctx)
        if ticket.tier is None:
            raise NotReadyError("the ticket's routing has not reached the notifier yet")
        return ticket

    def _assignee_and_manager(self, ticket: TicketView, *, manager: bool) -> list[str]:
        people = [ticket.assignee] if ticket.assignee else []
        team = self.config.team(ticket.team) if ticket.team else None
        if manager and team is not None and team.manager:
            people.append(team.manager)
        return people

    async def _cancel(self, ctx: HandlerContext, *, repeats_only: bool) -> None:
        """Cancel the ticket's pending notices to staff (or only their repeats); resolved, its
        items waiting in a digest or bundle not yet sent are taken out too."""
        mine = [
            deliveries.c.ticket_id == ctx.envelope.ticket_id,
            deliveries.c.kind.in_(PERSON_KINDS),
        ]
        if repeats_only:
            waiting = and_(deliveries.c.status == PENDING, deliveries.c.repeat > 0)
        else:
            unsent = select(collections.c.id).where(collections.c.status == PENDING)
            waiting = or_(
                deliveries.c.status == PENDING,
                and_(
                    deliveries.c.status.in_([IN_DIGEST, BUNDLED]),
                    deliveries.c.collection.in_(unsent),
                ),
            )
        result = await ctx.uow.session.execute(
            update(deliveries)
            .where(*mine, waiting)
            .values(status=CANCELLED)
            .returning(deliveries.c.channel)
        )
        for channel in result.scalars():
            self.metrics.suppressed.labels(channel=channel, reason="cancelled").inc()

    def registry(self) -> HandlerRegistry:
        """Event type to handlers."""
        return {
            TicketOpened: [self.on_opened],
            TicketAcknowledged: [self.on_acknowledged],
            TicketResolved: [self.on_resolved],
            TicketReopened: [self.on_reopened],
            TicketPriorityChanged: [self.on_priority_changed],
            TicketRouted: [self.on_routed],
            EscalationStepReached: [Batched(self.on_steps_reached)],
            RespondersPaged: [self.on_paged],
            SlaClockStarted: [self.on_clock],
            SlaClockRetargeted: [self.on_clock],
            SlaClockPaused: [self.on_clock],
            SlaClockResumed: [self.on_clock],
            SlaClockStopped: [self.on_clock],
            SlaWarningReached: [self.on_warning],
            SlaBreached: [self.on_breached],
            SlaBreachReminded: [self.on_breach_reminded],
            VendorCaseOpened: [self.on_vendor_opened],
            VendorCaseAcknowledged: [self.on_vendor_acknowledged],
            VendorCaseResolved: [self.on_vendor_resolved],
            NotificationRequested: [self.on_requested],
        }


def _first_page(reached: EscalationStepReached) -> bool:
    return reached.step == 0 and reached.round == 0 and reached.reason == "routed"


def _words(reason: str) -> str:
    return reason.replace("_", " ")
