"""The configuration file: schema, durations and the validating loader."""

from __future__ import annotations

from escalator_shared.config.access import (
    ApiToken,
    ClientContact,
    HashedToken,
    StaffRole,
    token_digest,
)
from escalator_shared.config.durations import Duration, parse_duration
from escalator_shared.config.email import EmailAlertPattern, EmailIntake, ImapMailbox
from escalator_shared.config.loader import ConfigError, format_path, load_config
from escalator_shared.config.model import (
    Client,
    EscalatorConfig,
    Integration,
    Person,
    Tier,
)
from escalator_shared.config.notifications import (
    Channel,
    NoticeKind,
    Notifications,
    PersonNotifications,
    RateLimit,
)
from escalator_shared.config.oncall import Override, RotationLayer, Schedule, TimeWindow
from escalator_shared.config.routing import (
    EscalationPolicy,
    EscalationStep,
    MajorOutage,
    Routing,
    RoutingRule,
    RoutingTarget,
    RuleMatch,
    StepAction,
    Team,
)
from escalator_shared.config.single_sign_on import CALLBACK_PATH, SingleSignOn
from escalator_shared.config.sla import Calendar, SlaPolicy
from escalator_shared.config.vendors import Vendor

__all__ = [
    "CALLBACK_PATH",
    "ApiToken",
    "Calendar",
    "Channel",
    "Client",
    "ClientContact",
    "ConfigError",
    "Duration",
    "EmailAlertPattern",
    "EmailIntake",
    "EscalationPolicy",
    "EscalationStep",
    "EscalatorConfig",
    "HashedToken",
    "ImapMailbox",
    "Integration",
    "MajorOutage",
    "NoticeKind",
    "Notifications",
    "Override",
    "Person",
    "PersonNotifications",
    "RateLimit",
    "RotationLayer",
    "Routing",
    "RoutingRule",
    "RoutingTarget",
    "RuleMatch",
    "Schedule",
    "SingleSignOn",
    "SlaPolicy",
    "StaffRole",
    "StepAction",
    "Team",
    "Tier",
    "TimeWindow",
    "Vendor",
    "format_path",
    "load_config",
    "parse_duration",
    "token_digest",
]
