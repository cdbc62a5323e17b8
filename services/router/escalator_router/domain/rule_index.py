"""An index that finds, for one ticket, the only rules that could match it, in rule order.

Each rule gets an *anchor*: one condition it cannot match without (a label pair, an error code,
a single-word keyword). A rule is tried only if the ticket carries one of its anchor tokens;
rules without an anchor are always tried. Anchors are necessary conditions, so the first match
among the candidates is the first match among all rules: `RuleBook.explain`, which tries every
rule, gives the same answer (a property test holds them together).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from escalator_router.domain.facts import TicketFacts
from escalator_shared.config import RuleMatch

_WORD = re.compile(r"\w+")
_Rule = TypeVar("_Rule")
Token = tuple[str, str]


def anchor_tokens(match: RuleMatch) -> frozenset[Token] | None:
    """Tokens of which a matching ticket must carry at least one; None when there is no anchor."""
    if match.labels:
        key, value = next(iter(match.labels.items()))
        return frozenset({("label", f"{key}={value}")})
    if match.error_codes:
        return frozenset(("code", code.lower()) for code in match.error_codes)
    words = [w.lower() for w in match.keywords]
    if words and all(_WORD.fullmatch(w) for w in words):
        return frozenset(("word", w) for w in words)
    return None


def ticket_tokens(facts: TicketFacts) -> set[Token]:
    """The tokens a ticket carries: its label pairs, error codes and words."""
    tokens: set[Token] = {("label", f"{k}={v}") for k, v in facts.labels.items()}
    tokens.update(("code", code.lower()) for code in facts.error_codes)
    for text in (facts.title, facts.description):
        tokens.update(("word", w) for w in _WORD.findall(text.lower()))
    return tokens


@dataclass
class RuleIndex(Generic[_Rule]):
    """Rules in order, split into always-tried ones and ones found through their anchors."""

    always: list[tuple[int, _Rule]] = field(default_factory=list)
    anchored: dict[Token, list[tuple[int, _Rule]]] = field(default_factory=dict)

    @classmethod
    def build(cls, rules: Sequence[tuple[_Rule, RuleMatch]]) -> RuleIndex[_Rule]:
        """Index `rules` (in their order) by each one's anchor."""
        index: RuleIndex[_Rule] = cls()
        for position, (rule, match) in enumerate(rules):
            tokens = anchor_tokens(match)
            if tokens is None:
                index.always.append((position, rule))
            else:
                for token in tokens:
                    index.anchored.setdefault(token, []).append((position, rule))
        return index

    def candidates(self, tokens: set[Token]) -> Iterator[_Rule]:
        """The rules that could match a ticket with these tokens, in rule order, each once."""
        hits = [self.anchored[t] for t in tokens if t in self.anchored]
        seen = -1
        for position, rule in heapq.merge(self.always, *hits, key=lambda pair: pair[0]):
            if position != seen:
                seen = position
                yield rule
