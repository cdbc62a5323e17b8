"""The configuration file's schema: one YAML file shared by every service.

It holds domain data (people, clients, SLAs, routing, integrations, vendors); infrastructure
addresses live in each service's settings instead.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from escalator_shared.config.access import ApiToken, ClientContact, HashedToken, StaffRole
from escalator_shared.config.durations import Duration
from escalator_shared.config.email import EmailIntake
from escalator_shared.config.notifications import (
    Channel,
    CustomerUpdate,
    Notifications,
    PersonNotifications,
    Url,
    webhook_destinations,
)
from escalator_shared.config.oncall import Schedule, TimeWindow, check_time_zone
from escalator_shared.config.routing import (
    EscalationPolicy,
    MajorOutage,
    Routing,
    RoutingRule,
    Team,
)
from escalator_shared.config.single_sign_on import SingleSignOn
from escalator_shared.config.sla import Calendar, HolidaySource, SlaPolicy
from escalator_shared.config.vendors import DEFAULT_REVIEW_EVERY, Vendor
from escalator_shared.events.values import Priority, Severity, TicketType
from escalator_shared.priority import Level, priority_for

if TYPE_CHECKING:
    from escalator_shared.access.directory import AccessDirectory

Identifier = str


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Tier(_Strict):
    """A support tier: L1 helpdesk, L2 technical, L3 senior, vendor, executive."""

    id: Identifier = Field(min_length=1)
    name: str
    responsibilities: str = ""


class Person(_Strict):
    """A technician, manager or executive who can be assigned, paged and notified."""

    id: Identifier = Field(min_length=1)
    name: str
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(
        default=None, pattern=r"^\+[0-9]{6,15}$", description="E.164, for SMS."
    )
    slack_id: str | None = Field(default=None, description="Slack member id, e.g. U024BE7LH.")
    teams_id: str | None = Field(default=None, description="Microsoft Teams user id or UPN.")
    slack_webhook: Url | None = Field(default=None, description="Slack incoming webhook (a DM).")
    teams_webhook: Url | None = Field(default=None, description="Teams workflow webhook.")
    webhook_url: Url | None = Field(default=None, description="Generic signed JSON webhook.")
    notify: PersonNotifications = Field(default_factory=PersonNotifications)
    time_zone: str = "UTC"
    working_hours: list[TimeWindow] = Field(
        default_factory=list, description="In the person's time zone; empty: not stated."
    )
    role: StaffRole = Field(default="technician", description="What the person may do.")
    clients: list[Identifier] = Field(
        default_factory=list, description="The only clients the person sees; empty: every one."
    )
    password_hash: str | None = Field(
        default=None, description="argon2id; `escalator users hash-password` makes one."
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_time_zone(value)

    def with_address(self) -> dict[Channel, str]:
        """Channels whose address is the person's own: SMS (phone) and email."""
        own: dict[Channel, str] = {"email": self.email}
        if self.phone:
            own["sms"] = self.phone
        return own


class Client(_Strict):
    """A customer of the MSP."""

    id: Identifier = Field(min_length=1)
    name: str
    email_domains: list[str] = Field(default_factory=list)
    sla_policy: Identifier | None = Field(
        default=None,
        description="The client's contract policy: as if the policy's match named this client.",
    )
    on_recovery: Literal["resolve", "flag"] = Field(
        default="resolve",
        description="When every alert of a ticket recovers: resolve it, or flag it as recovered "
        "and leave it to a technician.",
    )
    contract_tier: str | None = Field(default=None, description="e.g. gold, silver, bronze.")
    technologies: list[str] = Field(default_factory=list, description="e.g. m365, fortinet.")
    time_zone: str = "UTC"
    business_hours: list[TimeWindow] = Field(
        default_factory=list, description="In the client's time zone; empty: around the clock."
    )
    holidays: HolidaySource | None = Field(
        default=None, description="Public holidays closing the client's business hours."
    )
    closed_days: list[date] = Field(default_factory=list)
    vip_requesters: list[str] = Field(
        default_factory=list, description="Email addresses whose requests fast-track."
    )
    update_contacts: list[str] = Field(
        default_factory=list,
        description="Addresses told of progress (e.g. a vendor engaged) on tickets that have no "
        "requester, such as those opened by monitoring alerts.",
    )
    vendor_accounts: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="The client's ids at each vendor (e.g. microsoft: {tenant_id: ...}); a "
        "vendor listed here covers the client by contract.",
    )
    routing: list[RoutingRule] = Field(
        default_factory=list, description="Client-specific rules, tried before the global ones."
    )
    escalation_policy: Identifier | None = None
    slack_webhook: Url | None = Field(default=None, description="The client's Slack channel.")
    teams_webhook: Url | None = Field(default=None, description="The client's Teams channel.")
    webhook_url: Url | None = Field(default=None, description="The client's signed webhook.")
    customer_updates: list[CustomerUpdate] | None = Field(
        default=None, description="Status updates its requesters get; default: the global list."
    )
    contacts: list[ClientContact] = Field(
        default_factory=list, description="The client's people who sign in to see its tickets."
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_time_zone(value)


class StormPolicy(_Strict):
    """How intake folds alert storms and flapping conditions."""

    group_window: Duration | None = Field(
        default=timedelta(minutes=10),
        description="Alerts for one client and device within this window join one ticket.",
    )
    flap_window: Duration = Field(
        default=timedelta(minutes=30),
        description="A condition that returns this soon after resolving reopens its ticket.",
    )
    flap_threshold: int = Field(
        default=3,
        ge=1,
        description="Reopens in the window after which a ticket counts as flapping.",
    )


DEFAULT_PRIORITY_BY_SEVERITY: dict[Severity, Priority] = {
    Severity.CRITICAL: Priority.P1,
    Severity.MAJOR: Priority.P2,
    Severity.MINOR: Priority.P3,
    Severity.WARNING: Priority.P4,
    Severity.INFO: Priority.P5,
}


IntegrationType = Literal[
    "generic", "alertmanager", "grafana", "pagerduty", "zabbix", "ninjaone", "datto"
]


class Integration(HashedToken):
    """A sender posting alerts to `/v1/webhooks/{id}` (PagerDuty senders: `/v2/enqueue`)."""

    id: Identifier = Field(min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    type: IntegrationType = "generic"
    client: Identifier = Field(description="Client of alerts that name no known client.")
    client_label: str | None = Field(
        default=None, description="Label whose value names the client (e.g. 'client')."
    )
    clients_by_value: dict[str, Identifier] = Field(
        default_factory=dict, description="The sender's client names to client ids."
    )
    clients: list[Identifier] | None = Field(
        default=None,
        description="The clients the sender may speak for (client_label values naming another "
        "are refused, 422); default: its client and the clients_by_value targets.",
    )
    severity_map: dict[str, Severity] = Field(
        default_factory=dict, description="The sender's severity words (lower-case) to ours."
    )
    priority_by_severity: dict[Severity, Priority] = Field(
        default_factory=lambda: dict(DEFAULT_PRIORITY_BY_SEVERITY)
    )
    signing_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 secret for senders that sign bodies (Grafana)."
    )
    rate_limit_per_second: float | None = Field(
        default=None, gt=0, description="Requests per second accepted; beyond, 429 + Retry-After."
    )
    rate_limit_burst: int | None = Field(
        default=None, ge=1, description="Requests allowed at once (default: one second's worth)."
    )
    max_body_bytes: int | None = Field(
        default=None, ge=1024, description="Largest body for this integration (else the global)."
    )
    heartbeat_every: Duration | None = Field(
        default=None,
        description="Expect a ping (POST /v1/heartbeats/{id}) or an alert at least this often.",
    )

    @property
    def speaks_for(self) -> frozenset[str]:
        """The clients this sender may open tickets for."""
        if self.clients is not None:
            return frozenset(self.clients)
        return frozenset({self.client, *self.clients_by_value.values()})


class EscalatorConfig(_Strict):
    """The whole configuration file."""

    tiers: list[Tier] = Field(min_length=1)
    people: list[Person] = Field(min_length=1)
    api_tokens: list[ApiToken] = Field(default_factory=list)
    single_sign_on: SingleSignOn | None = None
    clients: list[Client] = Field(min_length=1)
    calendars: list[Calendar] = Field(default_factory=list)
    sla_policies: list[SlaPolicy] = Field(min_length=1)
    integrations: list[Integration] = Field(default_factory=list)
    teams: list[Team] = Field(default_factory=list)
    schedules: list[Schedule] = Field(default_factory=list)
    escalation_policies: list[EscalationPolicy] = Field(default_factory=list)
    routing: Routing
    priority_matrix: dict[Level, dict[Level, Priority]] = Field(
        default_factory=lambda: {
            impact: {urgency: priority_for(impact, urgency) for urgency in Level}
            for impact in Level
        },
        description="Impact (rows) x urgency (columns) to priority; ITIL by default.",
    )
    major_outage: MajorOutage | None = None
    notifications: Notifications = Field(default_factory=Notifications)
    vendors: list[Vendor] = Field(default_factory=list)
    vendor_review_every: Duration = Field(
        default=DEFAULT_REVIEW_EVERY,
        description="A vendor entry not reviewed within this long is flagged for review.",
    )
    storms: StormPolicy = Field(default_factory=StormPolicy)
    email: EmailIntake = Field(default_factory=EmailIntake)

    @cached_property
    def access(self) -> AccessDirectory:
        """Staff, client contacts and API tokens, indexed for authenticating requests."""
        from escalator_shared.access.directory import AccessDirectory  # noqa: PLC0415 - cycle

        return AccessDirectory(self)

    def person(self, person_id: str) -> Person:
        """The person with that id; KeyError if none."""
        return _by_id(self.people, person_id)

    def team(self, team_id: str) -> Team | None:
        """The team with that id, or None."""
        return next((t for t in self.teams if t.id == team_id), None)

    def destinations(
        self, person: Person, team_id: str | None = None, client_id: str | None = None
    ) -> dict[Channel, str]:
        """Where a message to the person goes on each channel it can use: phone (when an SMS
        provider is configured), email, and the first Slack, Teams and webhook URL named by
        the person, the ticket's team, its client, or the defaults (Slack and Teams only for
        people with a Slack or Teams id, or a webhook of their own)."""
        own = person.with_address()
        if self.notifications.sms is None:
            own.pop("sms", None)
        team = self.team(team_id) if team_id else None
        client = next((c for c in self.clients if c.id == client_id), None)
        hooks = webhook_destinations([person, team, client], self.notifications.webhooks)
        # A shared Slack or Teams channel reaches only people who are on it (it mentions them).
        if not (person.slack_webhook or person.slack_id):
            hooks.pop("slack", None)
        if not (person.teams_webhook or person.teams_id):
            hooks.pop("teams", None)
        return {**hooks, **own}

    def client(self, client_id: str) -> Client:
        """The client with that id; KeyError if none."""
        return _by_id(self.clients, client_id)

    def sla_policy(self, policy_id: str) -> SlaPolicy:
        """The SLA policy with that id; KeyError if none."""
        return _by_id(self.sla_policies, policy_id)

    def sla_policy_for(
        self, client_id: str, priority: Priority, ticket_type: TicketType, source: str
    ) -> SlaPolicy | None:
        """The first policy, in file order, whose filters match; a client's `sla_policy` adds
        that client to the policy's client filter. None when nothing matches."""
        named_by = self._policies_named_by_clients
        for policy in self.sla_policies:
            match = policy.match
            clients = {*match.clients, *named_by.get(policy.id, ())}
            if clients and client_id not in clients:
                continue
            if match.priorities and priority not in match.priorities:
                continue
            if match.ticket_types and ticket_type not in match.ticket_types:
                continue
            if match.sources and source not in match.sources:
                continue
            return policy
        return None

    @cached_property
    def _policies_named_by_clients(self) -> dict[str, list[str]]:
        named: dict[str, list[str]] = {}
        for client in self.clients:
            if client.sla_policy is not None:
                named.setdefault(client.sla_policy, []).append(client.id)
        return named

    def calendar(self, calendar_id: str) -> Calendar:
        """The named calendar; KeyError if none."""
        return _by_id(self.calendars, calendar_id)

    def vendor(self, vendor_id: str) -> Vendor:
        """The vendor with that id; KeyError if none."""
        return _by_id(self.vendors, vendor_id)

    def integration(self, integration_id: str) -> Integration | None:
        """The integration with that id, or None."""
        return next((i for i in self.integrations if i.id == integration_id), None)

    def opening_priority(self, integration_id: str, severity: Severity) -> Priority:
        """The priority a ticket opens with: the integration's severity map, else the defaults
        (for drills, or an integration removed after it sent the alert)."""
        integration = self.integration(integration_id)
        by_severity = (
            integration.priority_by_severity if integration else DEFAULT_PRIORITY_BY_SEVERITY
        )
        return by_severity.get(severity, Priority.P3)


_Item = TypeVar("_Item", Person, Client, SlaPolicy, Calendar, Vendor)


def _by_id(items: list[_Item], wanted: str) -> _Item:
    for item in items:
        if item.id == wanted:
            return item
    raise KeyError(wanted)
