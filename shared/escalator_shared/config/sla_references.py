"""Cross-references of the SLA sections: calendars, policy filters and coverage, OLA tiers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import get_args

from escalator_shared.config.model import EscalatorConfig
from escalator_shared.config.references import unknown
from escalator_shared.config.sla import AROUND_THE_CLOCK, CLIENT_CALENDAR
from escalator_shared.events.values import Priority, TicketType


def sla_problems(config: EscalatorConfig) -> Iterator[str]:
    """What is wrong with the SLA configuration, each naming its key path."""
    policies = {p.id for p in config.sla_policies}
    calendars = {c.id for c in config.calendars}
    clients = {c.id for c in config.clients}
    tiers = {t.id for t in config.tiers}
    for index, client in enumerate(config.clients):
        if client.sla_policy is not None:
            yield from unknown(
                f"clients[{index}].sla_policy", client.sla_policy, policies, "policy"
            )
    for index, calendar in enumerate(config.calendars):
        if calendar.id in (AROUND_THE_CLOCK, CLIENT_CALENDAR):
            yield f"calendars[{index}].id: {calendar.id!r} is reserved"
    for index, policy in enumerate(config.sla_policies):
        where = f"sla_policies[{index}]"
        if not policy.response:
            yield f"{where}.response: at least one priority needs a target"
        if not policy.resolution:
            yield f"{where}.resolution: at least one priority needs a target"
        if policy.calendar not in (AROUND_THE_CLOCK, CLIENT_CALENDAR):
            yield from unknown(f"{where}.calendar", policy.calendar, calendars, "calendar")
        for client_id in policy.match.clients:
            yield from unknown(f"{where}.match.clients", client_id, clients, "client")
        for tier in policy.ola:
            yield from unknown(f"{where}.ola.{tier}", tier, tiers, "tier")
    for index, vendor in enumerate(config.vendors):
        if vendor.commitment.calendar != AROUND_THE_CLOCK:
            yield from unknown(
                f"vendors[{index}].commitment.calendar",
                vendor.commitment.calendar,
                calendars,
                "calendar",
            )
    yield from _coverage_problems(config)


def _coverage_problems(config: EscalatorConfig) -> Iterator[str]:
    """Every client's tickets need a policy, whatever their priority and type."""
    for index, client in enumerate(config.clients):
        missing = [
            f"{priority.value} {ticket_type}"
            for priority in Priority
            for ticket_type in get_args(TicketType)
            if not all(
                config.sla_policy_for(client.id, priority, ticket_type, source) is not None
                for source in _sources(config)
            )
        ]
        if missing:
            yield (
                f"clients[{index}]: no SLA policy matches its {', '.join(missing)} tickets; "
                "set clients[].sla_policy or add a policy without filters"
            )


def _sources(config: EscalatorConfig) -> set[str]:
    """Sources that policies name, plus one that none names (any other sender)."""
    named = {source for p in config.sla_policies for source in p.match.sources}
    return {*named, "\x00other"}
