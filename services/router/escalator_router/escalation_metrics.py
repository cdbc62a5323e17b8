"""Escalation metrics: steps reached and time to escalate, labelled by bounded values only."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram

_ESCALATION_BUCKETS = (10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400)


@dataclass(frozen=True)
class EscalationMetrics:
    """Counters and a histogram by tier, step and reason (never by ticket or person)."""

    routed: Counter
    steps: Counter
    time_to_escalate: Histogram
    stopped: Counter
    major_outages: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> EscalationMetrics:
        """Register the families on the service's registry."""
        return cls(
            routed=Counter(
                "escalator_tickets_routed",
                "Tickets routed, by tier, priority and client.",
                ["tier", "priority", "client"],
                registry=registry,
            ),
            steps=Counter(
                "escalator_escalation_steps",
                "Escalation steps reached (step 0 is the first page), by tier of the ticket, "
                "step index, reason and client.",
                ["tier", "step", "reason", "client"],
                registry=registry,
            ),
            time_to_escalate=Histogram(
                "escalator_time_to_escalate_seconds",
                "From the chain's start to reaching a step after the first, by step index and "
                "client.",
                ["step", "client"],
                buckets=_ESCALATION_BUCKETS,
                registry=registry,
            ),
            stopped=Counter(
                "escalator_escalations_stopped",
                "Chains that stopped, by outcome (acknowledged, resolved, exhausted).",
                ["outcome"],
                registry=registry,
            ),
            major_outages=Counter(
                "escalator_major_outages_declared",
                "Major outages declared, by trigger (flagged service, or several clients).",
                ["trigger"],
                registry=registry,
            ),
        )
