"""The notifier's own metrics (labels stay bounded: channel, outcome, reason; never a person)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


@dataclass(frozen=True)
class NotifierMetrics:
    """Deliveries by channel and outcome, their latency, and what was held, bundled or dropped."""

    deliveries: Counter
    latency: Histogram
    suppressed: Counter
    bundled: Counter
    held: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> NotifierMetrics:
        """Register the families on `registry`."""
        return cls(
            deliveries=Counter(
                "escalator_notifications_total",
                "Delivery attempts by channel and outcome (sent, retry, failed, unsure).",
                ["channel", "outcome"],
                registry=registry,
            ),
            latency=Histogram(
                "escalator_notification_delivery_seconds",
                "From the event that caused a message to its delivery, by channel.",
                ["channel"],
                buckets=_LATENCY_BUCKETS,
                registry=registry,
            ),
            suppressed=Counter(
                "escalator_notifications_suppressed_total",
                "Messages not sent by channel and reason: duplicate, muted, cancelled, superseded.",
                ["channel", "reason"],
                registry=registry,
            ),
            bundled=Counter(
                "escalator_notifications_bundled_total",
                "Messages a rate limit folded into a bundle, by channel.",
                ["channel"],
                registry=registry,
            ),
            held=Counter(
                "escalator_notifications_held_total",
                "Messages held for the end of the recipient's quiet hours, by channel.",
                ["channel"],
                registry=registry,
            ),
        )
