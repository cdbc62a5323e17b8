"""SLA attainment: the share of clocks that met their target, per report row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class ReportKey:
    """One period x client x priority x metric."""

    period: date
    client: str
    priority: str
    metric: str


@dataclass(frozen=True)
class ReportRow:
    """A report key's figures."""

    key: ReportKey
    met: int
    missed: int
    open: int
    attainment_percent: float | None
    average_elapsed_seconds: float | None

    def as_tuple(self) -> tuple[object, ...]:
        """The row in the report's column order."""
        return (
            self.key.period.isoformat(),
            self.key.client,
            self.key.priority,
            self.key.metric,
            self.met,
            self.missed,
            self.open,
            self.attainment_percent,
            self.average_elapsed_seconds,
        )


def attainment(
    key: ReportKey, *, met: int, missed: int, open_: int, average: Decimal | float | None
) -> ReportRow:
    """A report row; attainment is met / (met + missed), None while nothing has finished."""
    decided = met + missed
    return ReportRow(
        key=key,
        met=met,
        missed=missed,
        open=open_,
        attainment_percent=round(100 * met / decided, 2) if decided else None,
        average_elapsed_seconds=round(float(average), 1) if average is not None else None,
    )
