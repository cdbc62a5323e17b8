"""What the pages call things: client, tier, person and vendor names by id, from the
configuration, built once per page group."""

from __future__ import annotations

from dataclasses import dataclass

from escalator_shared.config import EscalatorConfig


@dataclass(frozen=True)
class Names:
    """Display names by id."""

    clients: dict[str, str]
    tiers: dict[str, str]
    people: dict[str, str]
    vendors: dict[str, str]


def names_of(config: EscalatorConfig) -> Names:
    """The configuration's names."""
    return Names(
        clients={c.id: c.name for c in config.clients},
        tiers={t.id: t.name for t in config.tiers},
        people={p.id: p.name for p in config.people},
        vendors={v.id: v.name for v in config.vendors},
    )
