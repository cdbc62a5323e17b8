"""Inbound mail metrics: received per channel, refused per reason, and what became of each."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter


@dataclass(frozen=True)
class EmailMetrics:
    """Counters labelled only by channel, reason and outcome (all bounded)."""

    received: Counter
    refused: Counter
    processed: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> EmailMetrics:
        """Register the families on the service's registry."""
        return cls(
            received=Counter(
                "escalator_emails_received",
                "Inbound messages stored durably, by channel (smtp, imap).",
                ["channel"],
                registry=registry,
            ),
            refused=Counter(
                "escalator_emails_refused",
                "Inbound messages not stored, by channel and reason "
                "(storage_error, mailbox_error, too_large).",
                ["channel", "reason"],
                registry=registry,
            ),
            processed=Counter(
                "escalator_emails_processed",
                "Stored messages read, by outcome (opened, note, reopened, alert, ignored, ...).",
                ["outcome"],
                registry=registry,
            ),
        )
