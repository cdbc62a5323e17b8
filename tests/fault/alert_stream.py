"""An open-loop stream of unique alerts that retries what got no 202, as Alertmanager does.

Every alert has its own device and dedup key, so each accepted one must become exactly one
ticket. A send that fails (connection refused while intake restarts, 503 while Kafka is away)
is sent again with backoff until it is accepted or the stream's retry deadline passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class SentAlert:
    """One alert of the stream and what became of it."""

    index: int
    dedup_key: str
    severity: str
    first_sent_at: float
    attempts: int = 0
    ticket_id: str | None = None
    refused: str | None = None  # a 4xx other than 429: the sender's fault, never retried
    failures: dict[str, int] = field(default_factory=dict)


@dataclass
class StreamSettings:
    """Where to send, how fast, how long to keep retrying."""

    url: str
    token: str
    rate: float
    run_id: str
    retry_for: float = 180.0


def _body(alert: SentAlert, run_id: str) -> dict[str, object]:
    device = f"fault-{run_id}-{alert.index:06d}"
    return {
        "title": f"Fault suite alert {alert.index} ({run_id})",
        "severity": alert.severity,
        "dedup_key": alert.dedup_key,
        "device": device,
        "labels": {"suite": "fault", "run": run_id},
    }


class AlertStream:
    """Sends alerts at a fixed rate until stopped; each retried on its own task."""

    def __init__(self, settings: StreamSettings, client: httpx.AsyncClient) -> None:
        self._settings = settings
        self._client = client
        self.alerts: list[SentAlert] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = asyncio.Event()

    def stop(self) -> None:
        """No new alerts; those in flight go on retrying."""
        self._stopped.set()

    async def run(self) -> None:
        """Start one alert every 1/rate seconds (open loop: a slow answer delays nothing)."""
        interval = 1.0 / self._settings.rate
        started = time.monotonic()
        while not self._stopped.is_set():
            index = len(self.alerts)
            severity = "major" if index % 5 == 0 else "warning"
            key = f"fault-{self._settings.run_id}-{index:06d}"
            alert = SentAlert(index, key, severity, time.monotonic())
            self.alerts.append(alert)
            task = asyncio.create_task(self._deliver(alert))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            next_at = started + (index + 1) * interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), max(0.0, next_at - time.monotonic()))

    async def drain(self) -> None:
        """Wait for every alert in flight to be accepted, refused, or given up."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    async def _deliver(self, alert: SentAlert) -> None:
        deadline = time.monotonic() + self._settings.retry_for
        backoff = 0.5
        body = _body(alert, self._settings.run_id)
        headers = {"Authorization": f"Bearer {self._settings.token}"}
        while time.monotonic() < deadline:
            alert.attempts += 1
            outcome = await self._post_once(body, headers)
            if isinstance(outcome, str) and outcome.startswith("ticket:"):
                alert.ticket_id = outcome.removeprefix("ticket:")
                return
            if isinstance(outcome, str) and outcome.startswith("refused:"):
                alert.refused = outcome.removeprefix("refused:")
                return
            alert.failures[str(outcome)] = alert.failures.get(str(outcome), 0) + 1
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    async def _post_once(self, body: dict[str, object], headers: dict[str, str]) -> str:
        try:
            response = await self._client.post(self._settings.url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            return type(exc).__name__
        if response.status_code == 202:
            return "ticket:" + str(response.json()["ticket_id"])
        if response.status_code in RETRY_STATUSES:
            return f"http {response.status_code}"
        return f"refused:{response.status_code} {response.text[:200]}"
