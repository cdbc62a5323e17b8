"""Rules that can never match because an earlier rule matches everything they do.

Conservative: a rule is reported only when an earlier one provably covers it for every client it
can apply to (each of the earlier rule's conditions is absent, or at most as strict). Regular
expressions and time windows count as covering only when they are written identically.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from escalator_shared.config import Client, EscalatorConfig, RoutingRule, RuleMatch

_LISTS = ("sources", "integrations", "severities", "priorities", "device_types", "keywords")
_EXACT = ("title_regex", "body_regex", "vip", "business_hours")


@dataclass(frozen=True)
class _Placed:
    rule: RoutingRule
    where: str


def shadowed_rules(config: EscalatorConfig) -> Iterator[str]:
    """A problem line for each rule that an earlier one always pre-empts."""
    global_rules = [_Placed(r, f"routing.rules[{i}]") for i, r in enumerate(config.routing.rules)]
    for client_index, client in enumerate(config.clients):
        own = [
            _Placed(r, f"clients[{client_index}].routing[{i}]")
            for i, r in enumerate(client.routing)
        ]
        for later_index, later in enumerate(own):
            cover = _common_cover(later, [client], {client.id: own[:later_index]})
            if cover is not None:
                yield _problem(later, cover)
    for later_index, later in enumerate(global_rules):
        clients = [
            c
            for c in config.clients
            if not later.rule.match.clients or c.id in later.rule.match.clients
        ]
        earlier_by_client = {
            c.id: [
                *(_Placed(r, "") for r in c.routing),
                *global_rules[:later_index],
            ]
            for c in clients
        }
        cover = _common_cover(later, clients, earlier_by_client)
        if cover is not None:
            yield _problem(later, cover)


def _common_cover(
    later: _Placed, clients: list[Client], earlier_by_client: dict[str, list[_Placed]]
) -> _Placed | None:
    """An earlier rule covering `later` for each of the clients it can apply to (the first
    client's cover is named), or None if some client has none."""
    if not clients:
        return None
    found: _Placed | None = None
    for client in clients:
        cover = next(
            (
                e
                for e in earlier_by_client[client.id]
                if _covers(e.rule.match, later.rule.match, client)
            ),
            None,
        )
        if cover is None:
            return None
        found = found or cover
    return found


def _problem(later: _Placed, cover: _Placed) -> str:
    where = f" ({cover.where})" if cover.where else " (a client's own rule)"
    return (
        f"{later.where}: rule {later.rule.name!r} can never match: "
        f"rule {cover.rule.name!r}{where} comes first and matches everything it does"
    )


def _covers(first: RuleMatch, later: RuleMatch, client: Client) -> bool:  # noqa: PLR0911
    """Whether `first` matches every ticket of `client` that `later` matches."""
    if first.clients and client.id not in first.clients:
        return False
    if first.contract_tiers and client.contract_tier not in first.contract_tiers:
        return False
    if first.technologies and not set(first.technologies) & set(client.technologies):
        return False
    for name in _LISTS:
        wanted, narrower = getattr(first, name), getattr(later, name)
        if wanted and not (narrower and {_fold(v) for v in narrower} <= {_fold(v) for v in wanted}):
            return False
    codes, later_codes = first.error_codes, later.error_codes
    if codes and not (later_codes and {_fold(c) for c in later_codes} <= {_fold(c) for c in codes}):
        return False
    if not set(first.labels.items()) <= set(later.labels.items()):
        return False
    if first.title_contains is not None and (
        later.title_contains is None
        or _fold(first.title_contains) not in _fold(later.title_contains)
    ):
        return False
    if any(
        getattr(first, n) is not None and getattr(first, n) != getattr(later, n) for n in _EXACT
    ):
        return False
    return not first.during or (first.during == later.during and first.time_zone == later.time_zone)


def _fold(value: object) -> str:
    return str(value).casefold()
