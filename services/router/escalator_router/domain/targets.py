"""Escalation targets (`assignee`, `team:l2`, `tier:L3`, ...) resolved to the people paged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from escalator_router.domain.directory import Directory


@dataclass(frozen=True)
class TicketResponders:
    """What a ticket's own targets mean: set by routing and kept with the escalation."""

    assignee: str | None
    backup: str | None
    manager: str | None


@dataclass(frozen=True)
class Page:
    """One person to page, and the target that named them."""

    person: str
    via: str


_Resolver = Callable[[Directory, TicketResponders, str, datetime], list[str]]


def _one(person: str | None) -> list[str]:
    return [person] if person is not None else []


_RESOLVERS: dict[str, _Resolver] = {
    "assignee": lambda _d, ticket, _n, _at: _one(ticket.assignee),
    "backup": lambda _d, ticket, _n, _at: _one(ticket.backup),
    "manager": lambda _d, ticket, _n, _at: _one(ticket.manager),
    "person": lambda _d, _t, name, _at: [name],
    "schedule": lambda directory, _t, name, at: _one(directory.on_call(name, at).person),
    "team": lambda directory, _t, name, at: directory.responders(name, at),
    "tier": lambda directory, _t, name, at: directory.tier_responders(name, at),
}


def resolve_targets(
    targets: Sequence[str], directory: Directory, ticket: TicketResponders, at: datetime
) -> list[Page]:
    """Everyone the targets name at that instant, each person once, in target order."""
    pages: list[Page] = []
    seen: set[str] = set()
    for target in targets:
        kind, _, name = target.partition(":")
        for person in _RESOLVERS[kind](directory, ticket, name, at):
            if person not in seen:
                seen.add(person)
                pages.append(Page(person=person, via=target))
    return pages
