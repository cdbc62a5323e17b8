"""Column charts drawn on the server: each value's column placed in a 1000 x 200 view box, with
the words a screen reader and a printed page need. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 1000.0
HEIGHT = 200.0
GAP = 0.2  # share of each slot left empty between columns


@dataclass(frozen=True)
class Column:
    """One value as a column (None: nothing to count, drawn as no column)."""

    label: str
    value: float | None
    text: str
    x: float
    width: float
    height: float

    @property
    def y(self) -> float:
        """Top edge (SVG y grows downwards)."""
        return round(HEIGHT - self.height, 2)


def columns(
    points: Sequence[tuple[str, float | None]], *, top: float | None = None, unit: str = ""
) -> list[Column]:
    """Columns of equal width across the chart; heights scale to `top` (default the largest
    value, so the tallest column fills the chart)."""
    if not points:
        return []
    known = [v for _, v in points if v is not None]
    scale = top if top is not None else max(known, default=0.0)
    slot = WIDTH / len(points)
    drawn = []
    for i, (label, value) in enumerate(points):
        height = 0.0 if value is None or scale <= 0 else min(value / scale, 1.0) * HEIGHT
        drawn.append(
            Column(
                label=label,
                value=value,
                text="none" if value is None else f"{_number(value)}{unit}",
                x=round(i * slot + slot * GAP / 2, 2),
                width=round(slot * (1 - GAP), 2),
                height=round(height, 2),
            )
        )
    return drawn


def duration_words(seconds: float | None) -> str:
    """Seconds as a person reads them: '45 s', '12 min', '3.5 h', '2.1 days'; a dash for none."""
    if seconds is None:
        return "\u2013"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
