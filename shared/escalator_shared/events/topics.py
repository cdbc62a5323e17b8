"""Kafka topic names, defined in one place, and which event goes to which topic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topics:
    """The topic names for one deployment; a prefix isolates deployments and tests."""

    prefix: str = "escalator."

    @property
    def alerts(self) -> str:
        """Canonical alerts accepted by intake, before deduplication into tickets."""
        return f"{self.prefix}alerts"

    @property
    def tickets(self) -> str:
        """Ticket life: opened, updated, acknowledged, resolved."""
        return f"{self.prefix}tickets"

    @property
    def routing(self) -> str:
        """Routing decisions and escalation requests."""
        return f"{self.prefix}routing"

    @property
    def sla(self) -> str:
        """SLA clock events: started, warning, breached."""
        return f"{self.prefix}sla"

    @property
    def vendor(self) -> str:
        """Vendor case requests and their outcomes."""
        return f"{self.prefix}vendor"

    @property
    def notifications(self) -> str:
        """Notification requests and delivery outcomes."""
        return f"{self.prefix}notifications"

    @property
    def access(self) -> str:
        """API tokens issued and revoked (compacted: the latest state of each token)."""
        return f"{self.prefix}access"

    @property
    def audit(self) -> str:
        """The audit trail: staff actions and failed authentications, from every service."""
        return f"{self.prefix}audit"

    @property
    def compacted(self) -> tuple[str, ...]:
        """Topics that keep the latest message per key for ever instead of expiring."""
        return (self.access,)

    def all(self) -> tuple[str, ...]:
        """Every event topic (dead-letter topics are per consumer group, made on demand)."""
        return (
            self.alerts,
            self.tickets,
            self.routing,
            self.sla,
            self.vendor,
            self.notifications,
            self.access,
            self.audit,
        )

    def for_stream(self, stream: str) -> str:
        """The topic of a stream name as events declare it (e.g. "tickets")."""
        if stream not in _STREAMS:
            raise ValueError(f"unknown stream {stream!r}; known: {sorted(_STREAMS)}")
        topic: str = getattr(self, stream)
        return topic

    def dead_letter(self, group_id: str) -> str:
        """The dead-letter topic of one consumer group."""
        return f"{self.prefix}dlq.{group_id}"


_STREAMS = frozenset(
    {"alerts", "tickets", "routing", "sla", "vendor", "notifications", "access", "audit"}
)
