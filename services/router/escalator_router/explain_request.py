"""What the explain view accepts: an alert's fields, or a routed ticket's id; and its answer."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from escalator_router.domain.explanation import Explanation
from escalator_router.domain.facts import TicketFacts
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import Priority, Severity


class AlertToExplain(BaseModel):
    """An alert as intake would turn it into a ticket; `priority` defaults from the severity.

    Defaults are those of the generic webhook (severity warning), so the same body explains and
    posts alike.
    """

    model_config = ConfigDict(extra="forbid")

    client: str = Field(min_length=1)
    title: str = Field(min_length=1)
    severity: Severity = Severity.WARNING
    priority: Priority | None = None
    integration: str = ""
    source: str = "generic"
    description: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    error_codes: list[str] = Field(default_factory=list)
    device: str | None = None
    requester: str | None = None

    def facts(self, config: EscalatorConfig, at: datetime) -> TicketFacts:
        """The ticket facts this alert would open with."""
        return TicketFacts(
            client_id=self.client,
            priority=self.priority or config.opening_priority(self.integration, self.severity),
            title=self.title,
            at=at,
            severity=self.severity,
            source=self.source,
            integration=self.integration,
            description=self.description,
            labels=self.labels,
            error_codes=tuple(self.error_codes),
            device=self.device,
            requester=self.requester,
        )


class ExplainRequest(BaseModel):
    """Either an alert or a ticket id; `at` (default now) is when routing is imagined."""

    model_config = ConfigDict(extra="forbid")

    alert: AlertToExplain | None = None
    ticket_id: str | None = None
    at: datetime | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> ExplainRequest:
        if (self.alert is None) == (self.ticket_id is None):
            raise ValueError("give either 'alert' or 'ticket_id'")
        if self.at is not None and self.at.tzinfo is None:
            raise ValueError("'at' needs a UTC offset, e.g. 2026-11-23T09:00:00Z")
        return self


def facts_from_stored(stored: dict[str, Any], at: datetime) -> TicketFacts:
    """The facts a ticket was routed with (as stored by the router), re-timed to `at`."""
    return TicketFacts(
        client_id=stored["client_id"],
        priority=Priority(stored["priority"]),
        title=stored["title"],
        at=at,
        severity=Severity(stored["severity"]),
        source=stored["source"],
        integration=stored["integration"],
        description=stored["description"],
        labels=dict(stored["labels"]),
        error_codes=tuple(stored["error_codes"]),
        device=stored["device"],
        requester=stored["requester"],
    )


def answer(explanation: Explanation, config: EscalatorConfig) -> dict[str, Any]:
    """The explanation as the JSON the API and the CLI print."""
    a = explanation.assignment
    return {
        "rule": a.rule,
        "rules_checked": [asdict(v) for v in explanation.verdicts],
        "priority": a.priority.value,
        "priority_reason": a.priority_reason,
        "tier": a.tier,
        "team": a.team,
        "schedule": a.schedule,
        "on_call": a.assignee,
        "backup": a.backup,
        "manager": a.manager,
        "escalation_policy": a.policy.id,
        "timeline": [
            {
                "after_seconds": entry.offset_seconds,
                "at": entry.at.isoformat(),
                "step": entry.step,
                "round": entry.round,
                "name": entry.name,
                "pages": [asdict(page) for page in entry.pages],
                "text": timeline_text(entry.offset_seconds, entry.name, entry.pages),
            }
            for entry in explanation.timeline
        ],
        "sla_targets_seconds": explanation.sla_targets,
        "vendor": explanation.vendor,
        "vendor_name": next((v.name for v in config.vendors if v.id == explanation.vendor), None),
        "major_outage": explanation.major_outage,
    }


def timeline_text(offset_seconds: float, name: str, pages: tuple[Any, ...]) -> str:
    """`T+15 min L2 on call: Bob Okafor by sms, slack, email` — the line people read."""
    minutes = offset_seconds / 60
    when = "T+0" if offset_seconds == 0 else f"T+{minutes:g} min"
    who = "; ".join(f"{p.name} by {', '.join(p.channels)}" for p in pages) or "nobody"
    return f"{when} {name}: {who}"
