"""A queue: which open tickets a person sees, in the order they breach, with their rings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from escalator_console.domain.sla_ring import Ring, ring_for, urgency_key

Scope = Literal["mine", "team", "all"]
SCOPES: tuple[Scope, ...] = ("mine", "team", "all")
OPEN_STATUSES = ("new", "in_progress", "on_hold")
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")


@dataclass(frozen=True)
class QueueFilter:
    """What the person asked to see (every list empty: no condition)."""

    scope: Scope = "all"
    clients: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def ticket_query(self, person: str | None, teams: Sequence[str]) -> dict[str, list[str]]:
        """The GET /v1/tickets parameters of this filter for that person and their teams."""
        query: dict[str, list[str]] = {
            "status": list(self.statuses or OPEN_STATUSES),
            "client": list(self.clients),
            "priority": list(self.priorities),
            "tier": list(self.tiers),
        }
        if self.scope == "mine" and person:
            query["assignee"] = [person]
        if self.scope == "team":
            query["team"] = list(teams)
        return {name: values for name, values in query.items() if values}

    def as_params(self) -> list[tuple[str, str]]:
        """The filter as the page's own query string (for links and the live refresh)."""
        params: list[tuple[str, str]] = [("scope", self.scope)]
        params += [("client", c) for c in self.clients]
        params += [("priority", p) for p in self.priorities]
        params += [("tier", t) for t in self.tiers]
        params += [("status", s) for s in self.statuses]
        return params


def queue_filter(params: Mapping[str, Sequence[str]], default_scope: Scope) -> QueueFilter:
    """The filter a query string names; unknown values are dropped rather than refused."""
    scope_values = [s for s in params.get("scope", ()) if s in SCOPES]
    return QueueFilter(
        scope=scope_values[0] if scope_values else default_scope,
        clients=tuple(v for v in params.get("client", ()) if v),
        priorities=tuple(p for p in params.get("priority", ()) if p in PRIORITIES),
        tiers=tuple(v for v in params.get("tier", ()) if v),
        statuses=tuple(s for s in params.get("status", ()) if s in OPEN_STATUSES),
    )


@dataclass(frozen=True)
class QueueRow:
    """One ticket as a queue row."""

    ticket: Mapping[str, Any]
    ring: Ring | None = field(default=None)

    @property
    def id(self) -> str:
        """The ticket's id."""
        return str(self.ticket["id"])


def queue_rows(
    tickets: Sequence[Mapping[str, Any]], clocks: Mapping[str, Sequence[Mapping[str, Any]]]
) -> list[QueueRow]:
    """The rows in the order they need attention: what breaches first on top, then by
    priority, then oldest first."""
    rows = [QueueRow(t, ring_for(clocks.get(str(t["id"]), ()))) for t in tickets]
    return sorted(
        rows,
        key=lambda r: (
            urgency_key(r.ring),
            str(r.ticket.get("priority", "P9")),
            str(r.ticket.get("opened_at", "")),
        ),
    )
