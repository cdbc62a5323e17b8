"""Routing rules as pure functions: ordered rules, first match wins, else the default."""

from __future__ import annotations

from dataclasses import dataclass, field

from escalator_shared.config import Routing, RoutingTarget, RuleMatch
from escalator_shared.events import Priority

DEFAULT_RULE_NAME = "default"


@dataclass(frozen=True)
class TicketFacts:
    """What rules can look at."""

    client_id: str
    priority: Priority
    title: str
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RoutingDecision:
    """Where the ticket goes and which rule said so."""

    rule: str
    target: RoutingTarget


def matches(match: RuleMatch, facts: TicketFacts) -> bool:
    """Whether every condition the rule states holds for the ticket."""
    if match.clients and facts.client_id not in match.clients:
        return False
    if match.priorities and facts.priority not in match.priorities:
        return False
    if any(facts.labels.get(k) != v for k, v in match.labels.items()):
        return False
    return not (
        match.title_contains is not None
        and match.title_contains.casefold() not in facts.title.casefold()
    )


def decide(routing: Routing, facts: TicketFacts) -> RoutingDecision:
    """The first matching rule's target, or the default."""
    for rule in routing.rules:
        if matches(rule.match, facts):
            return RoutingDecision(rule=rule.name, target=rule)
    return RoutingDecision(rule=DEFAULT_RULE_NAME, target=routing.default)
