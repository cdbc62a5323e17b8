"""From the chosen rule to a full assignment: tier, team, who is on call, priority and policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from escalator_router.domain.directory import Directory
from escalator_router.domain.facts import TicketFacts
from escalator_router.domain.rulebook import RuleChoice
from escalator_router.domain.targets import TicketResponders
from escalator_shared.config import EscalationPolicy, EscalationStep, EscalatorConfig, RoutingTarget
from escalator_shared.events import Priority, TicketRouted

# Used when neither rule, team, client nor routing names a policy: page the assignee, once.
ASSIGNEE_ONLY = EscalationPolicy(
    id="assignee-only", name="Page the assignee", steps=[EscalationStep(targets=["assignee"])]
)


@dataclass(frozen=True)
class Assignment:
    """Everything routing decided for one ticket."""

    rule: str
    tier: str
    team: str | None
    schedule: str | None
    assignee: str | None
    backup: str | None
    manager: str | None
    priority: Priority
    priority_reason: str
    policy: EscalationPolicy
    vendor: str | None

    def routed(self, title: str, *, drill: bool) -> TicketRouted:
        """The event announcing this assignment for a ticket with that title."""
        return TicketRouted(
            title=title,
            tier=self.tier,
            team=self.team,
            assignee=self.assignee,
            backup=self.backup,
            priority=self.priority,
            rule=self.rule,
            priority_reason=self.priority_reason,
            schedule=self.schedule,
            escalation_policy=self.policy.id,
            vendor=self.vendor,
            drill=drill,
        )

    @property
    def responders(self) -> TicketResponders:
        """What `assignee`, `backup` and `manager` mean in this ticket's escalation steps."""
        return TicketResponders(self.assignee, self.backup, self.manager)


class Assigner:
    """Turns a rule choice into an assignment at an instant (on-call changes with time)."""

    def __init__(self, config: EscalatorConfig, directory: Directory) -> None:
        self._config = config
        self._directory = directory
        self._policies = {p.id: p for p in config.escalation_policies}
        self._client_policies = {c.id: c.escalation_policy for c in config.clients}
        self._snapshots: dict[str, dict[str, Any]] = {}

    def assign(self, choice: RuleChoice, facts: TicketFacts, at: datetime) -> Assignment:
        """The assignment the chosen rule leads to for these facts at `at`."""
        target = choice.target
        team = self._directory.teams.get(target.team) if target.team else None
        schedule = target.schedule or (team.schedule if team else None)
        on_call = self._directory.on_call(schedule, at) if schedule else None
        assignee = target.assignee or (on_call.person if on_call else None)
        if assignee is None and team is not None and team.schedule is None and team.members:
            assignee = team.members[0]
        backup = target.backup or (on_call.backup if on_call else None)
        policy = self.policy_for(target, facts.client_id)
        priority, why = self._priority(choice, facts)
        return Assignment(
            rule=choice.rule,
            tier=target.tier or (team.tier if team else "L1"),
            team=team.id if team else None,
            schedule=schedule,
            assignee=assignee,
            backup=backup if backup != assignee else None,
            manager=(team.manager if team else None) or policy.manager,
            priority=priority,
            priority_reason=why,
            policy=policy,
            vendor=target.vendor,
        )

    def snapshot(self, policy: EscalationPolicy) -> dict[str, Any]:
        """The policy as stored with a ticket's chain (JSON), computed once per policy."""
        stored = self._snapshots.get(policy.id)
        if stored is None:
            stored = self._snapshots[policy.id] = policy.model_dump(mode="json")
        return stored

    def policy_for(self, target: RoutingTarget, client_id: str) -> EscalationPolicy:
        """The rule's policy, else the team's, the client's, the routing default, else page once."""
        team = self._directory.teams.get(target.team) if target.team else None
        by_team = team.escalation_policy if team else None
        by_client = self._client_policies.get(client_id)
        by_rule = target.escalation_policy
        for policy_id in (by_rule, by_team, by_client, self._config.routing.escalation_policy):
            if policy_id is not None:
                return self._policies[policy_id]
        return ASSIGNEE_ONLY

    def _priority(self, choice: RuleChoice, facts: TicketFacts) -> tuple[Priority, str]:
        target = choice.target
        if target.priority is not None:
            return target.priority, f"set by rule {choice.rule}"
        if target.impact is not None and target.urgency is not None:
            priority = self._config.priority_matrix[target.impact][target.urgency]
            return priority, (
                f"impact {target.impact} x urgency {target.urgency} (rule {choice.rule})"
            )
        return facts.priority, "as the ticket opened"
