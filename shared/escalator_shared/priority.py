"""ITIL priority from impact and urgency (the matrix in DOMAIN.md), configurable."""

from __future__ import annotations

from enum import StrEnum

from escalator_shared.events.values import Priority


class Level(StrEnum):
    """Impact or urgency."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


ITIL_MATRIX: dict[tuple[Level, Level], Priority] = {
    (Level.HIGH, Level.HIGH): Priority.P1,
    (Level.HIGH, Level.MEDIUM): Priority.P2,
    (Level.HIGH, Level.LOW): Priority.P3,
    (Level.MEDIUM, Level.HIGH): Priority.P2,
    (Level.MEDIUM, Level.MEDIUM): Priority.P3,
    (Level.MEDIUM, Level.LOW): Priority.P4,
    (Level.LOW, Level.HIGH): Priority.P3,
    (Level.LOW, Level.MEDIUM): Priority.P4,
    (Level.LOW, Level.LOW): Priority.P5,
}


def priority_for(
    impact: Level, urgency: Level, matrix: dict[tuple[Level, Level], Priority] | None = None
) -> Priority:
    """The priority of an impact (rows) and urgency (columns)."""
    return (matrix or ITIL_MATRIX)[(impact, urgency)]
