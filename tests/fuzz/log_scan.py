"""Tracebacks and restarts the services logged while the suite ran (var/log/services/)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

LOGS = Path(__file__).resolve().parents[2] / "var" / "log" / "services"
SERVICES = ("console", "intake", "router", "sla-timer", "vendor-gateway", "notifier")


@dataclass(frozen=True)
class LogMark:
    """Where each service's log ended when the suite began."""

    offsets: dict[str, int]

    @classmethod
    def now(cls) -> LogMark:
        """The logs' current sizes."""
        return cls({name: _size(name) for name in (*SERVICES, "supervise")})

    def tracebacks(self) -> list[str]:
        """One line per traceback logged since the mark: service, logger, message, exception."""
        found = []
        for name in SERVICES:
            for line in self._new_lines(name):
                if "Traceback" in line:
                    found.append(f"{name}: {_describe(line)}")
        return found

    def restarts(self) -> list[str]:
        """What the supervisor said about services that exited since the mark."""
        return [line for line in self._new_lines("supervise") if "exited" in line]

    def _new_lines(self, name: str) -> list[str]:
        path = LOGS / f"{name}.log"
        if not path.exists():
            return []
        with path.open("rb") as handle:
            handle.seek(self.offsets.get(name, 0))
            return handle.read().decode(errors="replace").splitlines()


def _size(name: str) -> int:
    path = LOGS / f"{name}.log"
    return path.stat().st_size if path.exists() else 0


def _describe(line: str) -> str:
    try:
        entry = json.loads(line)
    except ValueError:
        return line[:300]
    last = str(entry.get("exception", "")).strip().splitlines()[-1:] or [""]
    return f"{entry.get('logger')}: {str(entry.get('message', ''))[:120]} / {last[0][:200]}"
