"""Cross-references of routing, on-call and escalation that a schema alone cannot check.

Each problem names its key path, e.g. `routing.rules[2].team: unknown team 'network'; ...`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from escalator_shared.config.routing import RoutingTarget
from escalator_shared.priority import Level

if TYPE_CHECKING:
    from escalator_shared.config.model import EscalatorConfig


def unknown(where: str, value: str, known: set[str], kind: str) -> Iterator[str]:
    """A problem if `value` is not among `known`."""
    if value not in known:
        listing = ", ".join(sorted(known)) or "(none defined)"
        yield f"{where}: unknown {kind} {value!r}; expected one of {listing}"


class _Known:
    """The ids each kind of reference may name."""

    def __init__(self, config: EscalatorConfig) -> None:
        self.tier = {t.id for t in config.tiers}
        self.person = {p.id for p in config.people}
        self.client = {c.id for c in config.clients}
        self.team = {t.id for t in config.teams}
        self.schedule = {s.id for s in config.schedules}
        self.policy = {p.id for p in config.escalation_policies}
        self.vendor = {v.id for v in config.vendors}
        self.integration = {i.id for i in config.integrations}
        self.tiers_with_teams = {t.tier for t in config.teams}

    def check(self, where: str, value: str | None, kind: str) -> Iterator[str]:
        if value is not None:
            yield from unknown(where, value, getattr(self, kind), kind)

    def target(self, where: str, target: str) -> Iterator[str]:
        kind, _, name = target.partition(":")
        if not name:
            return
        yield from self.check(where, name, kind)
        if kind == "tier" and name in self.tier and name not in self.tiers_with_teams:
            yield f"{where}: tier {name!r} has no team, so nobody would be paged"


def routing_problems(config: EscalatorConfig) -> Iterator[str]:
    """Every unknown reference in teams, schedules, policies, rules and the priority matrix."""
    known = _Known(config)
    yield from _team_problems(config, known)
    yield from _schedule_problems(config, known)
    yield from _policy_problems(config, known)
    targets: list[tuple[str, RoutingTarget]] = [("routing.default", config.routing.default)]
    targets += [(f"routing.rules[{i}]", rule) for i, rule in enumerate(config.routing.rules)]
    for c_index, client in enumerate(config.clients):
        where = f"clients[{c_index}]"
        yield from known.check(f"{where}.escalation_policy", client.escalation_policy, "policy")
        targets += [(f"{where}.routing[{i}]", rule) for i, rule in enumerate(client.routing)]
    for where, target in targets:
        yield from _target_problems(where, target, known)
    for index, rule in enumerate(config.routing.rules):
        for client_id in rule.match.clients:
            yield from known.check(f"routing.rules[{index}].match.clients", client_id, "client")
        for integration in rule.match.integrations:
            yield from known.check(
                f"routing.rules[{index}].match.integrations", integration, "integration"
            )
    yield from known.check("routing.escalation_policy", config.routing.escalation_policy, "policy")
    if config.major_outage is not None:
        for index, paged in enumerate(config.major_outage.page):
            yield from known.target(f"major_outage.page[{index}]", paged)
    yield from _matrix_problems(config)


def _target_problems(where: str, target: RoutingTarget, known: _Known) -> Iterator[str]:
    yield from known.check(f"{where}.tier", target.tier, "tier")
    yield from known.check(f"{where}.team", target.team, "team")
    yield from known.check(f"{where}.schedule", target.schedule, "schedule")
    yield from known.check(f"{where}.assignee", target.assignee, "person")
    yield from known.check(f"{where}.backup", target.backup, "person")
    yield from known.check(f"{where}.vendor", target.vendor, "vendor")
    yield from known.check(f"{where}.escalation_policy", target.escalation_policy, "policy")


def _team_problems(config: EscalatorConfig, known: _Known) -> Iterator[str]:
    for index, team in enumerate(config.teams):
        where = f"teams[{index}]"
        yield from known.check(f"{where}.tier", team.tier, "tier")
        for member in team.members:
            yield from known.check(f"{where}.members", member, "person")
        yield from known.check(f"{where}.schedule", team.schedule, "schedule")
        yield from known.check(f"{where}.manager", team.manager, "person")
        yield from known.check(f"{where}.escalation_policy", team.escalation_policy, "policy")


def _schedule_problems(config: EscalatorConfig, known: _Known) -> Iterator[str]:
    for index, schedule in enumerate(config.schedules):
        where = f"schedules[{index}]"
        for l_index, layer in enumerate(schedule.layers):
            for member in layer.members:
                yield from known.check(f"{where}.layers[{l_index}].members", member, "person")
        for o_index, override in enumerate(schedule.overrides):
            yield from known.check(
                f"{where}.overrides[{o_index}].person", override.person, "person"
            )
        yield from known.check(f"{where}.backup_schedule", schedule.backup_schedule, "schedule")
        yield from known.check(f"{where}.backup_person", schedule.backup_person, "person")


def _policy_problems(config: EscalatorConfig, known: _Known) -> Iterator[str]:
    for index, policy in enumerate(config.escalation_policies):
        where = f"escalation_policies[{index}]"
        for s_index, step in enumerate(policy.steps):
            for t_index, target in enumerate(step.targets):
                yield from known.target(f"{where}.steps[{s_index}].targets[{t_index}]", target)
        for reason, action in policy.triggers.items():
            if isinstance(action, list):
                for t_index, target in enumerate(action):
                    yield from known.target(f"{where}.triggers.{reason}[{t_index}]", target)
        yield from known.check(f"{where}.manager", policy.manager, "person")


def _matrix_problems(config: EscalatorConfig) -> Iterator[str]:
    for impact in Level:
        row = config.priority_matrix.get(impact, {})
        missing = [urgency.value for urgency in Level if urgency not in row]
        if missing:
            yield f"priority_matrix.{impact}: no priority for urgency {', '.join(missing)}"
