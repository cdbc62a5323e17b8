"""Intake's composition root: settings and configuration in, a wired FastAPI app out."""

from __future__ import annotations

from pathlib import Path

from starlette.types import ASGIApp

from escalator_intake.alert_handlers import AlertHandlers
from escalator_intake.alert_intake import AlertIntake
from escalator_intake.api.actions import LinkSigning, actions_router
from escalator_intake.api.audit import audit_router
from escalator_intake.api.drills import drills_router
from escalator_intake.api.emails import emails_router
from escalator_intake.api.heartbeats import heartbeat_router
from escalator_intake.api.rejected import rejected_router
from escalator_intake.api.sign_in import sign_in_router
from escalator_intake.api.single_sign_on import single_sign_on_router
from escalator_intake.api.tickets import tickets_router
from escalator_intake.api.tokens import tokens_router
from escalator_intake.api.webhooks import webhook_routes
from escalator_intake.audit_log import AUDIT_HANDLERS
from escalator_intake.backlog_gauge import BacklogGauge
from escalator_intake.email_handlers import EmailHandlers
from escalator_intake.heartbeats import HeartbeatMonitor
from escalator_intake.mailboxes.email_metrics import EmailMetrics
from escalator_intake.mailboxes.imap_poller import ImapPoller
from escalator_intake.mailboxes.inbox import EmailInbox
from escalator_intake.mailboxes.smtp_listener import SmtpListener
from escalator_intake.oidc_client import OidcClient
from escalator_intake.rejected_store import RejectedStore
from escalator_intake.settings import IntakeSettings
from escalator_intake.sign_in import SignIn
from escalator_intake.sso_sign_in import SsoSignIn
from escalator_intake.ticket_commands import TicketCommands
from escalator_intake.timeline_handlers import TIMELINE_HANDLERS
from escalator_intake.token_commands import TokenCommands
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import AlertReceived, EmailReceived
from escalator_shared.http.app import service_app
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: IntakeSettings, config: EscalatorConfig) -> ASGIApp:
    """Wire intake: webhooks, mail and the ticket API in; alert, email and timeline consumers."""
    runtime = ServiceRuntime(settings, ServiceMetrics.create(settings.service_name), MIGRATIONS)
    runtime.follow_issued_tokens(config.access.issued)
    topics = runtime.topics
    email_metrics = EmailMetrics.create(runtime.metrics.registry)
    if settings.consumers:
        alerts = AlertHandlers(config)
        runtime.add_consumer(
            "alerts",
            [topics.alerts],
            {
                AlertReceived: [alerts.on_alert],
                EmailReceived: [EmailHandlers(config, alerts, email_metrics).on_email],
            },
        )
        runtime.add_consumer(
            "timeline",
            [topics.tickets, topics.routing, topics.sla, topics.vendor, topics.notifications],
            TIMELINE_HANDLERS,
        )
        runtime.add_consumer("audit", [topics.audit], AUDIT_HANDLERS)
    commands = TicketCommands(runtime.unit_of_work)
    rejected = RejectedStore(runtime.session_factory)
    intake = AlertIntake(
        config, runtime.producer, topics, rejected, max_body_bytes=settings.max_body_bytes
    )
    monitor = HeartbeatMonitor(config, runtime.unit_of_work)
    if settings.consumers:
        runtime.add_task("heartbeat-monitor", monitor.run, monitor.loop.stop)
    backlog = BacklogGauge(
        runtime.session_factory, runtime.metrics.registry, settings.backlog_seconds
    )
    runtime.add_task("backlog-gauge", backlog.loop.run, backlog.loop.stop)
    inbox = EmailInbox(runtime.unit_of_work, email_metrics)
    if settings.smtp_listen_port:
        smtp = SmtpListener(
            inbox,
            settings.smtp_listen_host,
            settings.smtp_listen_port,
            config.email.max_message_bytes,
        )
        runtime.add_task("smtp-listener", smtp.run, smtp.stop)
    if config.email.imap is not None:
        imap = ImapPoller(inbox, config.email.imap)
        runtime.add_task("imap-poller", imap.loop.run, imap.loop.stop)
    sign_in = SignIn(runtime.unit_of_work, config)
    links = LinkSigning(
        settings.link_signing_secret.get_secret_value(), settings.public_url, settings.console_url
    )
    routers = [
        heartbeat_router(intake, monitor),
        rejected_router(config, rejected, intake),
        drills_router(config, intake),
        tickets_router(config, runtime.session_factory, commands),
        actions_router(config, commands, links, runtime.session_factory),
        emails_router(config, runtime.session_factory, inbox),
        tokens_router(config, TokenCommands(runtime.unit_of_work, config)),
        audit_router(config, runtime.session_factory),
        sign_in_router(config, sign_in),
        single_sign_on_router(config, single_sign_on(settings, config, runtime, sign_in)),
    ]
    return service_app(
        runtime,
        routers,
        title="Escalator intake",
        direct_routes=webhook_routes(intake, settings.max_body_bytes),
    )


def single_sign_on(
    settings: IntakeSettings, config: EscalatorConfig, runtime: ServiceRuntime, sign_in: SignIn
) -> SsoSignIn | None:
    """Sign-in through the configured OpenID Connect provider, if there is one."""
    sso = config.single_sign_on
    if sso is None:
        return None
    secret = settings.sso_client_secret
    provider = OidcClient(sso, secret.get_secret_value() if secret else None)
    return SsoSignIn(runtime.unit_of_work, config, sso, provider, sign_in)
