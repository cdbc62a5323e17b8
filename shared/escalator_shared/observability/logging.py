"""Structured JSON logs that carry the ticket and event being worked on."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

from escalator_shared.observability.log_repeats import RepeatFilter

current_ticket_id: ContextVar[str | None] = ContextVar("current_ticket_id", default=None)
current_event_id: ContextVar[str | None] = ContextVar("current_event_id", default=None)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, service, logger, message, ticket/event ids."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ticket_id, event_id = current_ticket_id.get(), current_event_id.get()
        if ticket_id:
            entry["ticket_id"] = ticket_id
        if event_id:
            entry["event_id"] = event_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(service: str, level: str) -> None:
    """Send every logger's records, as JSON lines, to standard error."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler.addFilter(RepeatFilter("aiokafka"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # One line per outgoing request is noise at our rates; failures are logged by the callers.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
