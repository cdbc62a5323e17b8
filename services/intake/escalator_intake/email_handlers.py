"""Reading stored inbound mail: robots ignored, RMM alerts raised, replies threaded, requests open.

The handler of EmailReceived. Everything it does to one message happens in one transaction with
marking the message processed, so a redelivery finds it done. What the message does is decided
by `email.decisions.decide`; this module gathers the facts and carries the decision out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_intake import email_store, ticket_store
from escalator_intake.adapters.base import ParsedAlert
from escalator_intake.alert_handlers import AlertHandlers
from escalator_intake.domain.canonical import alert_message_key
from escalator_intake.domain.ticket_rules import TicketStatus, reference_number
from escalator_intake.email.decisions import (
    Decision,
    EmailOutcome,
    Sender,
    ThreadedTicket,
    decide,
)
from escalator_intake.email.dissatisfaction import DEFAULT_PHRASES, Assessment, assess
from escalator_intake.email.loops import MailKind, classify
from escalator_intake.email.message import EmailParseError, InboundEmail, parse_email
from escalator_intake.email.quoting import strip_quoted
from escalator_intake.email.rmm_patterns import DEFAULT_PATTERNS, TITLE_LIMIT, parse_rmm_email
from escalator_intake.email.threading import sender_domain, thread_ids, ticket_reference
from escalator_intake.mailboxes.email_metrics import EmailMetrics
from escalator_shared.bus.dispatcher import HandlerContext
from escalator_shared.config import EmailAlertPattern, EscalatorConfig
from escalator_shared.events import (
    AlertReceived,
    AlertStatus,
    EmailReceived,
    Envelope,
    EscalationReason,
    EscalationRequested,
    Event,
    Severity,
    TicketNoteAdded,
    TicketReopened,
    TicketStatusChanged,
    VendorReplyReceived,
    new_id,
    utc_now,
)

# The integration id and source of everything that arrives by email.
EMAIL_INTEGRATION = "email"
# How much of a vendor's reply travels with VendorReplyReceived (enough for its case number).
REPLY_EXCERPT = 2000


@dataclass(frozen=True)
class _Reading:
    """One message as read: parsed, with its sender and the ticket it threads into."""

    email_id: str
    mail: InboundEmail
    sender: Sender
    ticket: Row[Any] | None


class EmailHandlers:
    """Handler of EmailReceived."""

    def __init__(
        self, config: EscalatorConfig, alerts: AlertHandlers, metrics: EmailMetrics
    ) -> None:
        self._config = config
        self._alerts = alerts
        self._metrics = metrics
        settings = config.email
        self._patterns: tuple[EmailAlertPattern, ...] = (
            *settings.rmm_patterns,
            *(DEFAULT_PATTERNS if settings.use_default_rmm_patterns else ()),
        )
        unhappy = settings.dissatisfaction
        self._phrases = {
            **(DEFAULT_PHRASES if unhappy.use_default_phrases else {}),
            **unhappy.phrases,
        }
        self._domains = {
            domain.strip().lower(): client.id
            for client in config.clients
            for domain in client.email_domains
        }
        self._staff = {p.email.casefold(): p.id for p in config.people}
        # A vendor is known by its support address's domain.
        self._vendors = {
            vendor.support_email.rsplit("@", 1)[1].lower(): vendor.id
            for vendor in config.vendors
            if vendor.support_email and "@" in vendor.support_email
        }
        self._client_names = {c.id.casefold(): c.id for c in config.clients} | {
            c.name.casefold(): c.id for c in config.clients
        }

    async def on_email(self, event: EmailReceived, ctx: HandlerContext) -> None:
        """Read the stored message, decide what it does, do it, record the outcome."""
        session = ctx.uow.session
        row = await email_store.get_for_update(session, event.email_id)
        if row is None:
            raise LookupError(f"inbound email {event.email_id} is not stored")
        if row.state == email_store.PROCESSED:
            return
        try:
            mail = parse_email(row.raw)
        except EmailParseError as exc:
            await self._finish(
                session, row.id, EmailOutcome.UNPARSEABLE, {"detail": str(exc)[:2000]}
            )
            return
        headers = {
            "message_id": mail.message_id,
            "from_address": mail.from_address,
            "subject": mail.subject[:TITLE_LIMIT],
        }
        earlier = (
            await email_store.other_processed_with_id(session, mail.message_id, row.id)
            if mail.message_id
            else None
        )
        if earlier is not None:
            detail = f"the same Message-ID as email {earlier}, already read"
            await self._finish(
                session, row.id, EmailOutcome.DUPLICATE, {**headers, "detail": detail}
            )
            return
        reading = _Reading(row.id, mail, self._sender(mail), await self._threaded(session, mail))
        outcome = await self._act(reading, ctx)
        await self._finish(
            session,
            row.id,
            outcome.outcome,
            {
                **headers,
                "detail": outcome.detail[:2000],
                "ticket_id": outcome.ticket_id,
                "client_id": outcome.client_id,
            },
        )

    async def _act(self, reading: _Reading, ctx: HandlerContext) -> Decision:
        mail = reading.mail
        kind = classify(mail, self._config.email.own_message_id_domain)
        rmm = parse_rmm_email(mail, self._patterns) if kind is MailKind.NORMAL else None
        now = utc_now()
        decision = decide(
            kind,
            is_rmm_alert=rmm is not None,
            ticket=_threaded_ticket(reading.ticket),
            sender=reading.sender,
            unknown_sender_client=self._config.email.unknown_sender_client,
            now=now,
            reopen_window=self._config.email.reopen_window,
        )
        if decision.outcome is EmailOutcome.ALERT:
            assert rmm is not None
            return await self._raise_alert(reading, rmm, ctx)
        if decision.outcome in (EmailOutcome.OPENED, EmailOutcome.FOLLOW_UP):
            return await self._open(reading, decision, ctx)
        if decision.outcome in (EmailOutcome.NOTE, EmailOutcome.REOPENED):
            await self._reply(reading, decision, ctx, now)
        if decision.outcome is EmailOutcome.VENDOR_REPLY:
            await self._vendor_reply(reading, ctx, now)
        return decision

    # --- outcomes ------------------------------------------------------------------------------

    async def _raise_alert(
        self, reading: _Reading, rmm: ParsedAlert, ctx: HandlerContext
    ) -> Decision:
        """The RMM's alert goes through the alerts topic, keyed by its condition, like any alert."""
        named = rmm.labels.get("client")
        client = (
            self._rmm_client(named)
            or reading.sender.client_id
            or self._config.email.unknown_sender_client
        )
        if client is None:
            return Decision(
                EmailOutcome.UNMATCHED,
                f"an RMM alert for client {named!r}, which matches no configured client "
                "(add it to email.rmm_clients_by_value)",
            )
        alert_id = new_id()
        alert = AlertReceived(
            alert_id=alert_id,
            integration=EMAIL_INTEGRATION,
            source=str(rmm.labels.get("pattern", EMAIL_INTEGRATION)),
            dedup_key=rmm.dedup_key,
            status=rmm.status,
            severity=_severity(rmm.raw_severity),
            title=rmm.title,
            description=_with_attachments(rmm.description, reading.mail),
            device=rmm.device,
            error_codes=list(rmm.error_codes),
            labels=dict(rmm.labels),
            details={**rmm.details, "email_id": reading.email_id},
            occurred_at=rmm.occurred_at or utc_now(),
        )
        await ctx.uow.emit(
            alert,
            ticket_id=alert_id,
            client_id=client,
            cause=ctx.envelope,
            message_key=alert_message_key(EMAIL_INTEGRATION, alert.dedup_key),
        )
        return Decision(
            EmailOutcome.ALERT,
            f"{rmm.status.value} alert {rmm.dedup_key} (alert {alert_id})",
            client_id=client,
        )

    async def _open(self, reading: _Reading, decision: Decision, ctx: HandlerContext) -> Decision:
        """A new ticket, opened now through the alert pipeline so replies find it at once."""
        mail = reading.mail
        assert decision.client_id is not None
        ticket_id = new_id()
        labels = {"from": reading.sender.address}
        assessment = self._assess(mail)
        if assessment.dissatisfied:
            labels["customer_dissatisfied"] = "true"
            labels["dissatisfaction_score"] = f"{assessment.score:g}"
        if decision.outcome is EmailOutcome.FOLLOW_UP and decision.ticket_id:
            labels["follow_up_of"] = decision.ticket_id
        alert = AlertReceived(
            alert_id=ticket_id,
            integration=EMAIL_INTEGRATION,
            source=EMAIL_INTEGRATION,
            dedup_key=f"email:{mail.message_id or reading.email_id}",
            status=AlertStatus.FIRING,
            severity=self._config.email.request_severity,
            title=(mail.subject.strip() or "(no subject)")[:TITLE_LIMIT],
            description=_with_attachments(mail.text, mail),
            labels=labels,
            details={"email_id": reading.email_id, "message_id": mail.message_id},
            occurred_at=mail.date or utc_now(),
            requester=reading.sender.address or None,
        )
        opened = Envelope.wrap(
            alert,
            ticket_id=ticket_id,
            client_id=decision.client_id,
            producer=ctx.uow.producer_name,
            cause=ctx.envelope,
        )
        await self._alerts.on_alert(alert, HandlerContext(envelope=opened, uow=ctx.uow))
        await self._remember(ctx.uow.session, mail, ticket_id)
        detail = decision.detail
        if assessment.dissatisfied:
            detail += f"; the customer sounds dissatisfied ({_explain(assessment)})"
        return replace(decision, detail=detail, ticket_id=ticket_id)

    async def _reply(
        self, reading: _Reading, decision: Decision, ctx: HandlerContext, now: datetime
    ) -> None:
        """A note on the ticket; reopened, back in work, escalated as the reply warrants."""
        ticket = reading.ticket
        assert ticket is not None
        session = ctx.uow.session
        by = reading.sender.staff_person or f"customer:{reading.sender.address}"
        events: list[Event] = []
        if decision.outcome is EmailOutcome.REOPENED:
            await ticket_store.update_ticket(
                session,
                ticket.id,
                {
                    "status": TicketStatus.IN_PROGRESS.value,
                    "resolved_at": None,
                    "resolved_by": None,
                },
            )
            events.append(
                TicketReopened(by=by, reason="the customer replied after resolve", reopened_at=now)
            )
        if decision.resumes_work:
            await ticket_store.update_ticket(
                session, ticket.id, {"status": TicketStatus.IN_PROGRESS.value, "hold_reason": None}
            )
            events.append(
                TicketStatusChanged(
                    status=TicketStatus.IN_PROGRESS.value,
                    previous_status=ticket.status,
                    hold_reason=None,
                    by=by,
                    changed_at=now,
                )
            )
        text = strip_quoted(reading.mail.text) or reading.mail.text
        events.append(
            TicketNoteAdded(
                note_id=new_id(),
                by=by,
                text=_with_attachments(text, reading.mail),
                customer_visible=True,  # it was mail between the customer and us
            )
        )
        assessment = self._assess(reading.mail)
        if assessment.dissatisfied and reading.sender.staff_person is None:
            events.append(
                EscalationRequested(
                    reason=EscalationReason.CUSTOMER_DISSATISFIED,
                    requested_by="intake",
                    note=f"{reading.sender.address} sounds dissatisfied: {_explain(assessment)}",
                )
            )
        for event in events:
            await ctx.uow.emit(
                event, ticket_id=ticket.id, client_id=ticket.client_id, cause=ctx.envelope
            )
        await self._remember(session, reading.mail, ticket.id)

    async def _vendor_reply(self, reading: _Reading, ctx: HandlerContext, now: datetime) -> None:
        """An internal note with the vendor's words, and VendorReplyReceived for its case."""
        ticket, sender = reading.ticket, reading.sender
        assert ticket is not None
        assert sender.vendor_id is not None
        text = strip_quoted(reading.mail.text) or reading.mail.text
        events: list[Event] = [
            TicketNoteAdded(
                note_id=new_id(),
                by=f"vendor:{sender.vendor_id}",
                text=_with_attachments(text, reading.mail),
                customer_visible=False,  # the vendor's words are for the technicians
            ),
            VendorReplyReceived(
                vendor=sender.vendor_id,
                sender=sender.address,
                email_id=reading.email_id,
                received_at=now,
                subject=reading.mail.subject[:500],
                excerpt=text[:REPLY_EXCERPT],
            ),
        ]
        for event in events:
            await ctx.uow.emit(
                event, ticket_id=ticket.id, client_id=ticket.client_id, cause=ctx.envelope
            )
        await self._remember(ctx.uow.session, reading.mail, ticket.id)

    # --- facts ---------------------------------------------------------------------------------

    def _sender(self, mail: InboundEmail) -> Sender:
        address = mail.from_address or ""
        return Sender(
            address=address,
            client_id=self._domains.get(sender_domain(mail)),
            staff_person=self._staff.get(address.casefold()),
            vendor_id=self._vendors.get(sender_domain(mail)),
        )

    async def _threaded(self, session: AsyncSession, mail: InboundEmail) -> Row[Any] | None:
        """The ticket the subject's tag names, else the one its threading headers point to."""
        tag = ticket_reference(mail, self._config.email.ticket_tag)
        number = reference_number(tag) if tag else None
        if number is not None:
            ticket = await ticket_store.get_by_number_for_update(session, number)
            if ticket is not None:
                return ticket
        ticket_id = await email_store.ticket_of_message(session, thread_ids(mail))
        if ticket_id is None:
            return None
        return await ticket_store.get_for_update(session, ticket_id)

    def _rmm_client(self, named: str | None) -> str | None:
        if not named:
            return None
        mapped = self._config.email.rmm_clients_by_value.get(named)
        return mapped or self._client_names.get(named.strip().casefold())

    def _assess(self, mail: InboundEmail) -> Assessment:
        return assess(mail.text, self._phrases, self._config.email.dissatisfaction.threshold)

    async def _finish(
        self, session: AsyncSession, email_id: str, outcome: EmailOutcome, values: dict[str, Any]
    ) -> None:
        await email_store.finish(session, email_id, {"outcome": outcome.value, **values})
        self._metrics.processed.labels(outcome=outcome.value).inc()

    async def _remember(self, session: AsyncSession, mail: InboundEmail, ticket_id: str) -> None:
        if mail.message_id:
            await email_store.remember_message(
                session, mail.message_id, ticket_id, email_store.INBOUND, utc_now()
            )


def _threaded_ticket(row: Row[Any] | None) -> ThreadedTicket | None:
    if row is None:
        return None
    return ThreadedTicket(
        id=row.id,
        client_id=row.client_id,
        status=TicketStatus(row.status),
        resolved_at=row.resolved_at,
        hold_reason=row.hold_reason,
        requester=row.requester,
    )


def _severity(raw: str | None) -> Severity:
    try:
        return Severity((raw or "").strip().lower())
    except ValueError:
        return Severity.WARNING


def _with_attachments(text: str, mail: InboundEmail) -> str:
    """The text, plus a line naming the attachments (kept as metadata, not content)."""
    if not mail.attachments:
        return text
    names = ", ".join(
        f"{a.filename or 'unnamed'} ({a.content_type}, {a.size} bytes)" for a in mail.attachments
    )
    return f"{text}\n\nAttachments: {names}".strip()


def _explain(assessment: Assessment) -> str:
    parts = ", ".join(f"{c.name} ({c.weight:g})" for c in assessment.matched)
    return f"score {assessment.score:g} from {parts}"
