"""One routing rule's conditions compiled into checks that say why a ticket does not match.

Each check returns None when its condition holds, else a short reason for the explain view
("severity minor not in [major, critical]"). Only the conditions a rule states become checks, so
an empty rule matches everything at no cost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from escalator_router.domain.facts import TicketFacts
from escalator_router.domain.time_windows import within
from escalator_shared.config import Client, RuleMatch

Check = Callable[[TicketFacts, Client | None], str | None]


@dataclass(frozen=True)
class CompiledMatch:
    """A rule's checks, in the order they are written in `RuleMatch`."""

    checks: tuple[Check, ...]
    clients: frozenset[str] | None

    def mismatch(self, facts: TicketFacts, client: Client | None) -> str | None:
        """None if every condition holds, else why the first failing one does not."""
        for check in self.checks:
            reason = check(facts, client)
            if reason is not None:
                return reason
        return None


def compile_match(match: RuleMatch) -> CompiledMatch:
    """The checks of one rule's conditions."""
    return CompiledMatch(
        checks=tuple(_checks(match)),
        clients=frozenset(match.clients) if match.clients else None,
    )


def _one_of(name: str, wanted: list[str], read: Callable[[TicketFacts], str | None]) -> Check:
    allowed = frozenset(wanted)
    listing = ", ".join(wanted)

    def check(facts: TicketFacts, _client: Client | None) -> str | None:
        value = read(facts)
        return None if value in allowed else f"{name} {value} not in [{listing}]"

    return check


def _checks(match: RuleMatch) -> Iterator[Check]:  # noqa: PLR0912 - one branch a condition
    if match.clients:
        yield _one_of("client", match.clients, lambda f: f.client_id)
    if match.sources:
        yield _one_of("source", match.sources, lambda f: f.source)
    if match.integrations:
        yield _one_of("integration", match.integrations, lambda f: f.integration)
    if match.severities:
        yield _one_of("severity", [s.value for s in match.severities], lambda f: f.severity.value)
    if match.priorities:
        yield _one_of("priority", [p.value for p in match.priorities], lambda f: f.priority.value)
    if match.device_types:
        yield _one_of("device_type", match.device_types, lambda f: f.labels.get("device_type"))
    if match.contract_tiers:
        yield _contract_tier(match.contract_tiers)
    if match.technologies:
        yield _technologies(match.technologies)
    if match.labels:
        yield _labels(match.labels)
    if match.error_codes:
        yield _error_codes(match.error_codes)
    if match.keywords:
        yield _keywords(match.keywords)
    if match.title_contains is not None:
        yield _title_contains(match.title_contains)
    if match.title_regex is not None:
        yield _regex("title", match.title_regex, lambda f: f.title)
    if match.body_regex is not None:
        yield _regex("description", match.body_regex, lambda f: f.description)
    if match.vip is not None:
        yield _vip(match.vip)
    if match.business_hours is not None:
        yield _business_hours(match.business_hours)
    if match.during:
        yield _during(match)


def _contract_tier(tiers: list[str]) -> Check:
    allowed = frozenset(tiers)

    def check(_facts: TicketFacts, client: Client | None) -> str | None:
        tier = client.contract_tier if client else None
        return None if tier in allowed else f"contract tier {tier} not in [{', '.join(tiers)}]"

    return check


def _technologies(wanted: list[str]) -> Check:
    allowed = frozenset(wanted)

    def check(facts: TicketFacts, client: Client | None) -> str | None:
        runs = set(client.technologies) if client else set()
        if runs & allowed:
            return None
        return f"client {facts.client_id} runs none of [{', '.join(wanted)}]"

    return check


def _labels(wanted: dict[str, str]) -> Check:
    def check(facts: TicketFacts, _client: Client | None) -> str | None:
        for key, value in wanted.items():
            if facts.labels.get(key) != value:
                return f"label {key}={facts.labels.get(key)!r}, wanted {value!r}"
        return None

    return check


def _error_codes(codes: list[str]) -> Check:
    allowed = frozenset(code.casefold() for code in codes)

    def check(facts: TicketFacts, _client: Client | None) -> str | None:
        if any(code.casefold() in allowed for code in facts.error_codes):
            return None
        return f"error codes [{', '.join(facts.error_codes)}] include none of [{', '.join(codes)}]"

    return check


def _keywords(words: list[str]) -> Check:
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)

    def check(facts: TicketFacts, _client: Client | None) -> str | None:
        if pattern.search(facts.title) or pattern.search(facts.description):
            return None
        return f"none of the keywords [{', '.join(words)}] in title or description"

    return check


def _title_contains(text: str) -> Check:
    folded = text.casefold()

    def check(facts: TicketFacts, _client: Client | None) -> str | None:
        return None if folded in facts.title.casefold() else f"title does not contain {text!r}"

    return check


def _regex(field: str, pattern_text: str, read: Callable[[TicketFacts], str]) -> Check:
    pattern = re.compile(pattern_text)

    def check(facts: TicketFacts, _client: Client | None) -> str | None:
        return None if pattern.search(read(facts)) else f"{field} does not match /{pattern_text}/"

    return check


def _vip(wanted: bool) -> Check:
    def check(facts: TicketFacts, client: Client | None) -> str | None:
        vips = {v.casefold() for v in client.vip_requesters} if client else set()
        is_vip = facts.requester is not None and facts.requester.casefold() in vips
        if is_vip == wanted:
            return None
        return "requester is a VIP" if is_vip else f"requester {facts.requester} is not a VIP"

    return check


def _business_hours(wanted: bool) -> Check:
    def check(facts: TicketFacts, client: Client | None) -> str | None:
        if client is None:
            return "unknown client, so no business hours"
        inside = within(client.business_hours, facts.at, ZoneInfo(client.time_zone))
        if inside == wanted:
            return None
        return "inside business hours" if inside else "outside business hours"

    return check


def _during(match: RuleMatch) -> Check:
    def check(facts: TicketFacts, client: Client | None) -> str | None:
        zone_name = match.time_zone or (client.time_zone if client else "UTC")
        if within(match.during, facts.at, ZoneInfo(zone_name)):
            return None
        local = facts.at.astimezone(ZoneInfo(zone_name))
        return f"{local:%a %H:%M} ({zone_name}) is outside the rule's times"

    return check
