"""Who is who: teams, schedules and people of one configuration, and who responds for each."""

from __future__ import annotations

from datetime import datetime

from escalator_router.domain.schedules import OnCall, on_call
from escalator_shared.config import EscalatorConfig, Schedule, Team


class Directory:
    """Look-ups the router makes for every ticket and every escalation step."""

    def __init__(self, config: EscalatorConfig) -> None:
        self.teams: dict[str, Team] = {team.id: team for team in config.teams}
        self.schedules: dict[str, Schedule] = {s.id: s for s in config.schedules}
        self.teams_of_tier: dict[str, list[Team]] = {}
        for team in config.teams:
            self.teams_of_tier.setdefault(team.tier, []).append(team)

    def on_call(self, schedule_id: str, at: datetime) -> OnCall:
        """Who the schedule has on call at that instant, and their backup."""
        return on_call(self.schedules[schedule_id], at, self.schedules)

    def responders(self, team_id: str, at: datetime) -> list[str]:
        """The team's on-call person, or every member when the team has no schedule."""
        team = self.teams[team_id]
        if team.schedule is None:
            return list(team.members)
        person = self.on_call(team.schedule, at).person
        return [person] if person is not None else []

    def tier_responders(self, tier_id: str, at: datetime) -> list[str]:
        """The responders of every team of the tier."""
        found: list[str] = []
        for team in self.teams_of_tier.get(tier_id, []):
            found += self.responders(team.id, at)
        return found
