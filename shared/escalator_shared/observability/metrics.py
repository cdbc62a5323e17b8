"""Standard metrics every service exposes, on a registry built by its composition root.

Labels stay bounded: service, consumer group, topic, partition, route, status. Never a ticket,
device or person.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class ConsumerMetrics:
    """Consumer-runner metrics for one consumer group, already labelled with service and group."""

    messages: Counter
    failures: Counter
    dead_lettered: Counter
    handler_seconds: Histogram
    lag: Gauge
    replayed: Counter
    service: str
    group: str


@dataclass(frozen=True)
class ServiceMetrics:
    """The standard metric families of one service."""

    registry: CollectorRegistry
    service: str
    consumer_messages: Counter
    consumer_failures: Counter
    consumer_dead_lettered: Counter
    consumer_handler_seconds: Histogram
    consumer_lag: Gauge
    dlq_replayed: Counter
    outbox_published: Counter
    outbox_pending: Gauge
    http_requests: Counter
    http_request_seconds: Histogram

    @classmethod
    def create(cls, service: str, registry: CollectorRegistry | None = None) -> ServiceMetrics:
        """Register the standard families on `registry` (a fresh one by default)."""
        reg = registry or CollectorRegistry()
        consumer = ("service", "group", "topic")
        return cls(
            registry=reg,
            service=service,
            consumer_messages=Counter(
                "escalator_consumer_messages",
                "Messages a consumer group finished with, by outcome "
                "(handled, duplicate, ignored, dead_lettered).",
                [*consumer, "outcome"],
                registry=reg,
            ),
            consumer_failures=Counter(
                "escalator_consumer_handler_failures",
                "Handler attempts that raised (each retry counts).",
                [*consumer, "error"],
                registry=reg,
            ),
            consumer_dead_lettered=Counter(
                "escalator_consumer_dead_lettered",
                "Messages sent to the group's dead-letter topic.",
                consumer,
                registry=reg,
            ),
            consumer_handler_seconds=Histogram(
                "escalator_consumer_handler_seconds",
                "Time to handle one message, retries included.",
                ["service", "group"],
                buckets=_LATENCY_BUCKETS,
                registry=reg,
            ),
            consumer_lag=Gauge(
                "escalator_consumer_lag",
                "Messages between the group's position and the partition's end.",
                [*consumer, "partition"],
                registry=reg,
            ),
            dlq_replayed=Counter(
                "escalator_dlq_replayed",
                "Records replayed from a dead-letter topic (`escalator_shared.dlq replay`) that "
                "this group finished, by outcome (handled, duplicate, ignored, dead_lettered).",
                [*consumer, "outcome"],
                registry=reg,
            ),
            outbox_published=Counter(
                "escalator_outbox_published",
                "Outbox rows published to Kafka.",
                ["service"],
                registry=reg,
            ),
            outbox_pending=Gauge(
                "escalator_outbox_pending",
                "Outbox rows not yet published.",
                ["service"],
                registry=reg,
            ),
            http_requests=Counter(
                "escalator_http_requests",
                "HTTP requests answered, by route template and status.",
                ["service", "route", "status"],
                registry=reg,
            ),
            http_request_seconds=Histogram(
                "escalator_http_request_seconds",
                "HTTP request latency by route template.",
                ["service", "route"],
                buckets=_LATENCY_BUCKETS,
                registry=reg,
            ),
        )

    def for_consumer(self, group: str) -> ConsumerMetrics:
        """The consumer metrics of one group."""
        return ConsumerMetrics(
            messages=self.consumer_messages,
            failures=self.consumer_failures,
            dead_lettered=self.consumer_dead_lettered,
            handler_seconds=self.consumer_handler_seconds,
            lag=self.consumer_lag,
            replayed=self.dlq_replayed,
            service=self.service,
            group=group,
        )
