"""The fault suite's figures: per fault, what was sent while it lasted and what became of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tests.fault.alert_stream import SentAlert
from tests.fault.crashes import Crash
from tests.fault.outcome_queries import Outcome


@dataclass(frozen=True)
class FaultWindow:
    """The alerts started from the kill until the system had been ready for the settle time."""

    crash: Crash
    first: int  # index of the first alert of the window
    end: int  # one past the last


@dataclass(frozen=True)
class Figures:
    """Counts for one window (or the whole run)."""

    sent: int
    accepted: int
    retried: int
    refused: int
    unaccepted: int
    lost: int
    duplicated: int

    @property
    def clean(self) -> bool:
        """Nothing lost, nothing twice, nothing refused or given up."""
        return not (self.refused or self.unaccepted or self.lost or self.duplicated)


def duplicated_keys(outcome: Outcome) -> set[str]:
    """Dedup keys with anything a person would see twice (ticket, timeline entry, page)."""
    key_of = {ticket: key for key, ids in outcome.tickets.items() for ticket in ids}
    found = set()
    for kind, entries in outcome.duplicates.items():
        for entry in entries:
            first = entry.split(" ", 1)[0]
            found.add(first if kind == "tickets" else key_of.get(first, first))
    return found


def lost_keys(outcome: Outcome, accepted: set[str]) -> set[str]:
    """Accepted keys that are not a routed ticket with SLA clocks."""
    return set().union(*outcome.missing(accepted).values())


def figures(alerts: Sequence[SentAlert], lost: set[str], duplicated: set[str]) -> Figures:
    """Count one slice of the stream."""
    accepted = [a for a in alerts if a.ticket_id is not None]
    return Figures(
        sent=len(alerts),
        accepted=len(accepted),
        retried=sum(1 for a in accepted if a.attempts > 1),
        refused=sum(1 for a in alerts if a.refused is not None),
        unaccepted=sum(1 for a in alerts if a.ticket_id is None and a.refused is None),
        lost=sum(1 for a in accepted if a.dedup_key in lost),
        duplicated=sum(1 for a in accepted if a.dedup_key in duplicated),
    )


def table(
    alerts: Sequence[SentAlert], windows: Sequence[FaultWindow], outcome: Outcome
) -> tuple[list[str], bool]:
    """The printed lines and whether the whole run was clean."""
    accepted = {a.dedup_key for a in alerts if a.ticket_id is not None}
    lost, duplicated = lost_keys(outcome, accepted), duplicated_keys(outcome)
    header = (
        f"{'fault':<26}{'sent':>7}{'accepted':>10}{'retried':>9}{'refused':>9}"
        f"{'unaccepted':>12}{'lost':>6}{'duplicated':>12}{'recovery s':>12}"
    )
    lines = [header]
    for window in windows:
        row = figures(alerts[window.first : window.end], lost, duplicated)
        recovery = window.crash.recovery_seconds
        lines.append(_row(f"kill -9 {window.crash.target}", row, recovery))
    total = figures(alerts, lost, duplicated)
    lines.append(_row("whole run", total, None))
    for kind, entries in outcome.duplicates.items():
        lines.extend(f"  duplicate {kind}: {entry}" for entry in entries[:5])
    for reason, keys in outcome.missing(accepted).items():
        lines.extend(f"  lost ({reason}): {key}" for key in sorted(keys)[:5])
    lines.extend(f"  refused: {a.dedup_key} {a.refused}" for a in alerts if a.refused is not None)
    return lines, total.clean and all(w.crash.recovery_seconds is not None for w in windows)


def _row(name: str, row: Figures, recovery: float | None) -> str:
    back = "-" if recovery is None else f"{recovery:.1f}"
    return (
        f"{name:<26}{row.sent:>7}{row.accepted:>10}{row.retried:>9}{row.refused:>9}"
        f"{row.unaccepted:>12}{row.lost:>6}{row.duplicated:>12}{back:>12}"
    )
