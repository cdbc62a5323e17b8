"""Turns a notice into delivery rows: planned per person, rendered per channel, queued once.

Rows are keyed by (trigger, recipient, channel), so a redelivered event queues nothing new. A
digest item joins its person's open digest (one pending digest row per person).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_notifier.domain.content import Content, TemplateBook
from escalator_notifier.domain.delivery_plan import DIGEST, PAGE_KINDS, Planned, plan_for_person
from escalator_notifier.domain.notice_context import TicketView, facts, ticket_context
from escalator_notifier.notifier_metrics import NotifierMetrics
from escalator_notifier.tables import CANCELLED, IN_DIGEST, OPEN_COLLECTION, PENDING, deliveries
from escalator_shared.bus.dispatcher import HandlerContext
from escalator_shared.config import EscalatorConfig, Person
from escalator_shared.events import Priority, new_id, utc_now
from escalator_shared.signed_links import SignedAction, action_url, sign_action

log = logging.getLogger(__name__)

LINK_KINDS = frozenset({"assigned", "escalated", "paged", "sla_warning", "sla_breached"})
# One cached statement for any number of (ticket, person) pairs, bound as two arrays.
_SUPERSEDE = text(
    """
    UPDATE deliveries d SET status = :cancelled
      FROM unnest(CAST(:tickets AS text[]), CAST(:people AS text[])) AS p(ticket_id, recipient)
     WHERE d.ticket_id = p.ticket_id AND d.recipient = p.recipient
       AND d.status = :pending AND d.repeat > 0 AND d.kind = ANY(CAST(:page_kinds AS text[]))
    RETURNING d.channel
    """
).bindparams(cancelled=CANCELLED, pending=PENDING, page_kinds=sorted(PAGE_KINDS))
_INSERT = (
    insert(deliveries)
    .on_conflict_do_nothing(constraint="deliveries_once")
    .returning(deliveries.c.channel, sort_by_parameter_order=True)
)


@dataclass(frozen=True)
class Notice:
    """Something to tell people about one ticket: its kind, priority and template variables."""

    kind: str
    priority: Priority
    variables: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PeopleNotice:
    """A notice of one ticket for some people, as the consumer's handler words it."""

    ctx: HandlerContext
    ticket: TicketView
    notice: Notice
    people: tuple[str, ...]
    trigger: str | None = None


def _distinct_tickets(notices: Sequence[PeopleNotice]) -> Iterator[list[PeopleNotice]]:
    """The notices in order, cut wherever a ticket comes round again."""
    part: list[PeopleNotice] = []
    seen: set[str] = set()
    for item in notices:
        if item.ticket.ticket_id in seen:
            yield part
            part, seen = [], set()
        part.append(item)
        seen.add(item.ticket.ticket_id)
    if part:
        yield part


@dataclass(frozen=True)
class Links:
    """How one-click links are signed and where they point."""

    secret: str
    public_url: str
    valid_for: timedelta
    console_url: str | None = None

    def for_person(self, ticket_id: str, person_id: str, now: datetime) -> dict[str, str]:
        """Acknowledge and resolve links the person can use without logging in."""
        expires = now + self.valid_for
        return {
            verb: action_url(
                self.public_url,
                self.console_url,
                sign_action(self.secret, SignedAction(ticket_id, verb, person_id, expires)),
            )
            for verb in ("acknowledge", "resolve")
        }


class NoticeQueue:
    """Queues the deliveries of notices (the consumer's transaction commits them)."""

    def __init__(
        self,
        config: EscalatorConfig,
        book: TemplateBook,
        links: Links,
        metrics: NotifierMetrics,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._config = config
        self._book = book
        self._links = links
        self._metrics = metrics
        self._clock = clock

    async def to_people(
        self,
        ctx: HandlerContext,
        ticket: TicketView,
        notice: Notice,
        people: Iterable[str],
        *,
        trigger: str | None = None,
    ) -> int:
        """Queue the notice to each person once; the number of deliveries queued."""
        item = PeopleNotice(ctx, ticket, notice, tuple(people), trigger)
        return await self.to_people_many([item])

    async def to_people_many(self, notices: Sequence[PeopleNotice]) -> int:
        """`to_people` of several notices in one transaction, with one statement per step for
        as many of them as concern distinct tickets (a ticket's later page must supersede the
        repeats its earlier one queued, so it waits for the next round)."""
        queued = 0
        for part in _distinct_tickets(notices):
            queued += await self._queue_to_people(part)
        return queued

    async def _queue_to_people(self, notices: list[PeopleNotice]) -> int:
        session = notices[0].ctx.uow.session
        rows: list[dict[str, Any]] = []
        digests: list[tuple[PeopleNotice, Person, Planned, dict[str, Any]]] = []
        paged: set[tuple[str, str]] = set()  # (ticket, person) whose earlier repeats go
        for item in notices:
            for person, plan, row in self._planned_rows(item):
                if plan.channel == DIGEST:
                    digests.append((item, person, plan, row))
                    continue
                rows.append(row)
                if item.notice.kind in PAGE_KINDS:
                    paged.add((item.ticket.ticket_id, person.id))
                if plan.held_until is not None:
                    self._metrics.held.labels(channel=plan.channel).inc()
        if paged:
            await self._supersede_repeats(session, paged)
        for item, person, plan, row in digests:
            row["collection"] = await self._open_digest(session, item.ctx, person, plan)
            row["status"] = IN_DIGEST
            rows.append(row)
        return await self._insert(session, rows)

    def _planned_rows(self, item: PeopleNotice) -> Iterator[tuple[Person, Planned, dict[str, Any]]]:
        """Each person's planned deliveries of the notice, rendered, as rows."""
        ctx, ticket, notice = item.ctx, item.ticket, item.notice
        now = self._clock()
        base = {**ticket_context(ticket, now), **notice.variables}
        shown = facts(ticket, now)
        for person_id in dict.fromkeys(item.people):
            person = self._config.person(person_id)
            destinations = self._config.destinations(person, ticket.team, ticket.client_id)
            plans = plan_for_person(
                kind=notice.kind,
                priority=notice.priority,
                person=person,
                destinations=destinations,
                policy=self._config.notifications,
                now=now,
            )
            if not plans:
                self._metrics.suppressed.labels(channel="any", reason="muted").inc()
            links = (
                self._links.for_person(ticket.ticket_id, person.id, now)
                if notice.kind in LINK_KINDS
                else {}
            )
            variables = {**base, "person": {"id": person.id, "name": person.name}, "links": links}
            rendered: dict[str, Content] = {}  # a channel's repeats say what its first page says
            for plan in plans:
                if plan.channel not in rendered:
                    rendered[plan.channel] = self._book.render(notice.kind, plan.channel, variables)
                row = self._row(
                    ctx,
                    ticket,
                    notice,
                    plan,
                    recipient=person.id,
                    content=rendered[plan.channel],
                    links=links,
                    shown=shown,
                    trigger=item.trigger,
                )
                row["details"]["mention"] = person.slack_id if plan.channel == "slack" else None
                yield person, plan, row

    async def to_address(
        self,
        ctx: HandlerContext,
        ticket: TicketView,
        notice: Notice,
        address: str,
        *,
        trigger: str | None = None,
        thread: tuple[str, ...] = (),
    ) -> int:
        """Queue an email to an address (a customer, or a message another service worded)."""
        now = self._clock()
        variables = {**ticket_context(ticket, now), **notice.variables, "links": {}}
        plan = Planned("email", address, now)
        row = self._row(
            ctx,
            ticket,
            notice,
            plan,
            recipient=address,
            content=self._book.render(notice.kind, plan.channel, variables),
            links={},
            shown=facts(ticket, now),
            trigger=trigger,
        )
        if thread:
            row["details"]["in_reply_to"] = thread[-1]
            row["details"]["references"] = list(thread)
        return await self._insert(ctx.uow.session, [row])

    def _row(
        self,
        ctx: HandlerContext,
        ticket: TicketView,
        notice: Notice,
        plan: Planned,
        *,
        recipient: str,
        content: Content,
        links: dict[str, str],
        shown: list[tuple[str, str]],
        trigger: str | None,
    ) -> dict[str, Any]:
        now = self._clock()
        trigger_id = trigger or ctx.envelope.event_id
        if plan.repeat:
            trigger_id = f"{trigger_id}#repeat{plan.repeat}"
        return {
            "id": new_id(),
            "trigger_event_id": trigger_id,
            "trigger_occurred_at": ctx.envelope.occurred_at,
            "correlation_id": ctx.envelope.correlation_id,
            "ticket_id": ticket.ticket_id,
            "client_id": ticket.client_id,
            "recipient": recipient,
            "channel": plan.channel,
            "address": plan.address,
            "subject": content.subject,
            "body": content.text,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": plan.send_at,
            "created_at": now,
            "kind": notice.kind,
            "priority": notice.priority.value,
            "details": {
                "summary": content.summary,
                "facts": shown,
                "links": links,
            },
            "held_until": plan.held_until,
            "repeat": plan.repeat,
            "item_count": 0,
            "collection": None,
        }

    async def _supersede_repeats(self, session: AsyncSession, paged: set[tuple[str, str]]) -> None:
        """A new page of a ticket replaces the repeats still waiting from its earlier pages."""
        tickets, people = zip(*sorted(paged), strict=True)
        result = await session.execute(
            _SUPERSEDE, {"tickets": list(tickets), "people": list(people)}
        )
        for channel in result.scalars():
            self._metrics.suppressed.labels(channel=channel, reason="superseded").inc()

    async def _open_digest(
        self, session: AsyncSession, ctx: HandlerContext, person: Person, plan: Planned
    ) -> str:
        """The id of the person's pending digest, opened now if there is none."""
        now = self._clock()
        statement = (
            insert(deliveries)
            .values(
                id=new_id(),
                trigger_event_id=f"digest:{new_id()}",
                trigger_occurred_at=now,
                correlation_id=ctx.envelope.correlation_id,
                ticket_id="",
                client_id="",
                recipient=person.id,
                channel="email",
                address=person.email,
                subject="",
                body="",
                status=PENDING,
                attempts=0,
                next_attempt_at=plan.send_at,
                created_at=now,
                kind="digest",
                details={"every": person.notify.digest_every},
                repeat=0,
                item_count=1,
            )
            .on_conflict_do_update(
                index_elements=["recipient", "channel", "kind"],
                index_where=OPEN_COLLECTION,
                set_={"item_count": deliveries.c.item_count + 1},
            )
            .returning(deliveries.c.id)
        )
        digest_id: str = (await session.execute(statement)).scalar_one()
        return digest_id

    async def _insert(self, session: AsyncSession, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        # One cached statement, its rows sent as one batch (executemany with RETURNING).
        result = await session.execute(_INSERT, rows)
        queued = list(result.scalars())
        for channel in {r["channel"] for r in rows}:
            duplicates = sum(r["channel"] == channel for r in rows) - queued.count(channel)
            if duplicates:
                self._metrics.suppressed.labels(channel=channel, reason="duplicate").inc(duplicates)
        return len(queued)
