"""How people are notified: channels by priority, providers, rate limits, quiet hours, digests.

Defaults follow the domain notes: critical pages go out at once on every channel the person has
(and repeat until acknowledged), normal ones by email, low ones in a digest. Quiet hours hold
non-urgent messages until they end; rate limits bundle a burst into one message.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from escalator_shared.config.durations import Duration
from escalator_shared.config.oncall import TimeWindow, Weekday, windows_cover
from escalator_shared.events.values import Priority

Channel = Literal["sms", "slack", "teams", "webhook", "email", "digest"]
# The channels a message is actually sent on (a digest goes out as an email).
SENDING_CHANNELS: tuple[Channel, ...] = ("sms", "slack", "teams", "webhook", "email")

# What a person is told about; per-person rules pick channels per kind.
NoticeKind = Literal[
    "assigned", "escalated", "paged", "sla_warning", "sla_breached", "vendor_update", "message"
]

DEFAULT_CHANNELS_BY_PRIORITY: dict[Priority, list[Channel]] = {
    Priority.P1: ["sms", "slack", "teams", "webhook", "email"],
    Priority.P2: ["sms", "slack", "teams", "webhook", "email"],
    Priority.P3: ["email"],
    Priority.P4: ["email"],
    Priority.P5: ["digest"],
}


Url = Annotated[str, Field(pattern=r"^https?://\S+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RateLimit(_Strict):
    """At most `max` messages per `per` to one person on one channel; the rest are bundled."""

    max: int = Field(ge=1)
    per: Duration


DEFAULT_RATE_LIMITS: dict[Channel, RateLimit | None] = {
    # GoAlert's SMS limit; the others leave room for a busy shift without a storm.
    "sms": RateLimit(max=5, per=timedelta(minutes=15)),
    "slack": RateLimit(max=10, per=timedelta(minutes=5)),
    "teams": RateLimit(max=10, per=timedelta(minutes=5)),
    "webhook": RateLimit(max=60, per=timedelta(minutes=1)),
    "email": RateLimit(max=20, per=timedelta(minutes=10)),
}


class Repeat(_Strict):
    """Urgent pages repeat until someone acknowledges (or the ticket resolves)."""

    every: Duration = timedelta(minutes=5)
    times: int = Field(default=3, ge=0, description="Repeats after the first page; 0: none.")


class SmsProvider(_Strict):
    """A Twilio-compatible Messages API; the auth token comes from ESCALATOR_SMS_AUTH_TOKEN."""

    base_url: Url = Field(default="https://api.twilio.com", description="Twilio or compatible.")
    account_sid: str = Field(min_length=1)
    from_number: str = Field(pattern=r"^\+[0-9]{6,15}$", description="E.164 sender number.")


class WebhookTargets(_Strict):
    """Default incoming-webhook URLs, used when the person, team or client names none."""

    slack: Url | None = None
    teams: Url | None = None
    webhook: Url | None = Field(
        default=None, description="Generic JSON webhook, signed with HMAC-SHA256."
    )


CustomerUpdate = Literal["received", "escalated", "vendor_engaged", "resolved"]
DEFAULT_CUSTOMER_UPDATES: tuple[CustomerUpdate, ...] = ("received", "escalated", "resolved")


class Notifications(_Strict):
    """The notifier's policy."""

    channels_by_priority: dict[Priority, list[Channel]] = Field(
        default_factory=lambda: dict(DEFAULT_CHANNELS_BY_PRIORITY)
    )
    urgent_priorities: list[Priority] = Field(
        default_factory=lambda: [Priority.P1, Priority.P2],
        description="Break through quiet hours, page the backup too, and repeat until acked.",
    )
    repeat: Repeat = Field(default_factory=Repeat)
    rate_limits: dict[Channel, RateLimit | None] = Field(
        default_factory=lambda: dict(DEFAULT_RATE_LIMITS),
        description="Per channel; channels not named keep their default, null means no limit.",
    )
    bundle_wait: Duration = Field(
        default=timedelta(minutes=2),
        description="Longest a rate-limited message waits in its bundle.",
    )
    link_valid_for: Duration = Field(
        default=timedelta(hours=24), description="How long one-click links in messages work."
    )
    sms: SmsProvider | None = None
    webhooks: WebhookTargets = Field(default_factory=WebhookTargets)
    customer_updates: list[CustomerUpdate] = Field(
        default_factory=lambda: list(DEFAULT_CUSTOMER_UPDATES),
        description="Status updates emailed to the requester (vendor engagement is the vendor "
        "gateway's own update).",
    )
    msp_name: str = Field(default="Your IT support team", description="Signs customer updates.")
    templates_dir: str | None = Field(
        default=None,
        description="A folder of Jinja2 templates ({kind}.j2 or {kind}.{channel}.j2) that "
        "replace the built-in ones.",
    )

    @field_validator("rate_limits")
    @classmethod
    def _over_the_defaults(
        cls, limits: dict[Channel, RateLimit | None]
    ) -> dict[Channel, RateLimit | None]:
        return {**DEFAULT_RATE_LIMITS, **limits}

    def channels_for(
        self, reachable: set[Channel] | list[Channel], priority: Priority
    ) -> list[Channel]:
        """The channels a page of this priority uses among those reachable (email the fallback)."""
        wanted = self.channels_by_priority.get(priority, ["email"])
        usable = {*reachable, "digest"}
        chosen = [channel for channel in wanted if channel in usable]
        return chosen or ["email"]

    def is_urgent(self, priority: Priority) -> bool:
        """Whether pages of this priority break through quiet hours and repeat."""
        return priority in self.urgent_priorities

    def rate_limit(self, channel: str) -> RateLimit | None:
        """The limit of one person's messages on the channel, if any."""
        return next((limit for name, limit in self.rate_limits.items() if name == channel), None)


class PersonNotifications(_Strict):
    """One person's notification rules."""

    contact_order: list[Channel] = Field(
        default_factory=list,
        description="Order to fall back through when a channel fails for good; empty: SMS, "
        "Slack, Teams, webhook, then email.",
    )
    quiet_hours: list[TimeWindow] = Field(
        default_factory=list,
        description="In the person's time zone: non-urgent messages wait until these end.",
    )
    rules: dict[NoticeKind, list[Channel]] = Field(
        default_factory=dict,
        description="Channels per kind of notice, instead of the priority's; [] mutes the kind.",
    )
    digest_at: time = Field(default=time(8, 0), description="Local time the digest goes out.")
    digest_every: Literal["daily", "weekly"] = "daily"
    digest_day: Weekday = Field(default="mon", description="Day of a weekly digest.")

    @field_validator("quiet_hours")
    @classmethod
    def _leave_time_to_talk(cls, windows: list[TimeWindow]) -> list[TimeWindow]:
        monday = datetime(2024, 1, 1)  # a Monday; the check walks one week of wall clock
        steps = (monday + timedelta(minutes=15 * n) for n in range(7 * 24 * 4))
        if windows and all(windows_cover(windows, wall) for wall in steps):
            raise ValueError(
                "quiet hours cover the whole week: nothing but urgent pages could ever reach "
                "this person"
            )
        return windows


class WebhookOwner(Protocol):
    """A person, team or client that may name its own incoming-webhook URLs."""

    @property
    def slack_webhook(self) -> str | None: ...
    @property
    def teams_webhook(self) -> str | None: ...
    @property
    def webhook_url(self) -> str | None: ...


def webhook_destinations(
    owners: list[WebhookOwner | None], defaults: WebhookTargets
) -> dict[Channel, str]:
    """The Slack, Teams and webhook URLs for a message: the first owner (person, then team,
    then client) that names one, else the configured default."""
    found: dict[Channel, str] = {}
    for channel, attribute in (
        ("slack", "slack_webhook"),
        ("teams", "teams_webhook"),
        ("webhook", "webhook_url"),
    ):
        named = [getattr(owner, attribute) for owner in owners if owner is not None]
        url = next((u for u in named if u), None) or getattr(defaults, channel)
        if url:
            found[channel] = url  # type: ignore[index]
    return found
