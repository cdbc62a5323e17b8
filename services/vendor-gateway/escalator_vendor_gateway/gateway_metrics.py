"""The vendor gateway's own metrics, registered on the service's registry."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Vendors answer in minutes to days.
_RESPONSE_BUCKETS = (60, 300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600, 72 * 3600)
_OVERHEAD_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


@dataclass(frozen=True)
class GatewayMetrics:
    """Cases opened, failures by reason, vendor response times, the gateway's own overhead."""

    opened: Counter
    failed: Counter
    attempt_failures: Counter
    response: Histogram
    overhead: Histogram
    vendor_call: Histogram
    breaker_open: Gauge
    review_due: Gauge
    status_polls: Counter
    chases: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> GatewayMetrics:
        """Register the families on `registry`."""
        return cls(
            opened=Counter(
                "escalator_vendor_cases_opened_total",
                "Vendor cases opened, by vendor and channel (api, email, phone).",
                ["vendor", "channel"],
                registry=registry,
            ),
            failed=Counter(
                "escalator_vendor_cases_failed_total",
                "Vendor cases that failed for good (retries spent or refused), by reason.",
                ["vendor", "reason"],
                registry=registry,
            ),
            attempt_failures=Counter(
                "escalator_vendor_case_attempt_failures_total",
                "Failed attempts to open a case (retried or not), by vendor and reason.",
                ["vendor", "reason"],
                registry=registry,
            ),
            response=Histogram(
                "escalator_vendor_response_seconds",
                "From a case opening to the vendor's first response.",
                ["vendor"],
                buckets=_RESPONSE_BUCKETS,
                registry=registry,
            ),
            overhead=Histogram(
                "escalator_vendor_case_overhead_seconds",
                "The gateway's own time to open a case: ready to recorded, minus the vendor call.",
                buckets=_OVERHEAD_BUCKETS,
                registry=registry,
            ),
            vendor_call=Histogram(
                "escalator_vendor_call_seconds",
                "Time spent waiting on a vendor's API or mail relay per opened case.",
                ["vendor"],
                buckets=_OVERHEAD_BUCKETS,
                registry=registry,
            ),
            breaker_open=Gauge(
                "escalator_vendor_circuit_open",
                "1 while calls to the vendor are held back by its circuit breaker.",
                ["vendor"],
                registry=registry,
            ),
            review_due=Gauge(
                "escalator_vendor_directory_review_due",
                "Vendor entries not reviewed within vendor_review_every (as of startup).",
                registry=registry,
            ),
            status_polls=Counter(
                "escalator_vendor_status_polls_total",
                "Status requests to vendors' APIs, by vendor and outcome (answered, unchanged, "
                "or the failure's reason: timeout, connection, http_5xx, malformed...).",
                ["vendor", "outcome"],
                registry=registry,
            ),
            chases=Counter(
                "escalator_vendor_case_chases_total",
                "Cases unresolved past a level of the vendor's escalation ladder, by vendor.",
                ["vendor", "level"],
                registry=registry,
            ),
        )
