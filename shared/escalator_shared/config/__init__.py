"""The configuration file: schema, durations and the validating loader."""

from __future__ import annotations

from escalator_shared.config.durations import Duration, parse_duration
from escalator_shared.config.email import EmailAlertPattern, EmailIntake, ImapMailbox
from escalator_shared.config.loader import ConfigError, format_path, load_config
from escalator_shared.config.model import (
    Client,
    EscalatorConfig,
    Integration,
    Person,
    Routing,
    RoutingRule,
    RoutingTarget,
    RuleMatch,
    SlaPolicy,
    StaffToken,
    Tier,
    Vendor,
)

__all__ = [
    "Client",
    "ConfigError",
    "Duration",
    "EmailAlertPattern",
    "EmailIntake",
    "EscalatorConfig",
    "ImapMailbox",
    "Integration",
    "Person",
    "Routing",
    "RoutingRule",
    "RoutingTarget",
    "RuleMatch",
    "SlaPolicy",
    "StaffToken",
    "Tier",
    "Vendor",
    "format_path",
    "load_config",
    "parse_duration",
]
