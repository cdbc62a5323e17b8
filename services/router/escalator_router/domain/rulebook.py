"""Ordered routing rules, first match wins: the client's own rules first, then the global ones.

`choose` is the fast path the router runs for every ticket: each client gets an index of its
candidate rules once (its own rules, then the global rules that can apply to it), and only the
rules whose anchor the ticket carries are tried (`rule_index`). `explain` walks every rule in
the same order and records why each earlier one did not match; both give the same choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from escalator_router.domain.facts import TicketFacts
from escalator_router.domain.rule_index import RuleIndex, ticket_tokens
from escalator_router.domain.rule_matching import CompiledMatch, compile_match
from escalator_shared.config import EscalatorConfig, RoutingRule, RoutingTarget

DEFAULT_RULE_NAME = "default"
Scope = Literal["client", "global", "default"]


@dataclass(frozen=True)
class RuleVerdict:
    """How one rule fared against a ticket (for the explain view)."""

    rule: str
    scope: Scope
    matched: bool
    reason: str | None


@dataclass(frozen=True)
class RuleChoice:
    """The rule that decides, where it sends the ticket, and the verdicts before it."""

    rule: str
    scope: Scope
    target: RoutingTarget
    verdicts: tuple[RuleVerdict, ...] = ()


@dataclass(frozen=True)
class _Compiled:
    rule: RoutingRule
    scope: Scope
    match: CompiledMatch


class RuleBook:
    """The routing rules of one configuration, compiled once."""

    def __init__(self, config: EscalatorConfig) -> None:
        self._default = config.routing.default
        self._clients = {client.id: client for client in config.clients}
        self._global = [
            _Compiled(r, "global", compile_match(r.match)) for r in config.routing.rules
        ]
        self._own = {
            c.id: [_Compiled(r, "client", compile_match(r.match)) for r in c.routing]
            for c in config.clients
        }
        self._candidates: dict[str, RuleIndex[_Compiled]] = {}

    def choose(self, facts: TicketFacts) -> RuleChoice:
        """The first matching rule's target, or the default."""
        client = self._clients.get(facts.client_id)
        index = self._candidates_of(facts.client_id)
        for compiled in index.candidates(ticket_tokens(facts)):
            if compiled.match.mismatch(facts, client) is None:
                return RuleChoice(compiled.rule.name, compiled.scope, compiled.rule)
        return RuleChoice(DEFAULT_RULE_NAME, "default", self._default)

    def explain(self, facts: TicketFacts) -> RuleChoice:
        """The same choice as `choose`, with why every rule before it did not match."""
        client = self._clients.get(facts.client_id)
        verdicts: list[RuleVerdict] = []
        for compiled in [*self._own.get(facts.client_id, []), *self._global]:
            reason = compiled.match.mismatch(facts, client)
            verdicts.append(RuleVerdict(compiled.rule.name, compiled.scope, reason is None, reason))
            if reason is None:
                return RuleChoice(
                    compiled.rule.name, compiled.scope, compiled.rule, tuple(verdicts)
                )
        return RuleChoice(DEFAULT_RULE_NAME, "default", self._default, tuple(verdicts))

    def _candidates_of(self, client_id: str) -> RuleIndex[_Compiled]:
        index = self._candidates.get(client_id)
        if index is None:
            # Global rules naming other clients can never match this one: leave them out.
            rules = [*self._own.get(client_id, [])] + [
                c for c in self._global if c.match.clients is None or client_id in c.match.clients
            ]
            index = RuleIndex.build([(c, c.rule.match) for c in rules])
            self._candidates[client_id] = index
        return index
