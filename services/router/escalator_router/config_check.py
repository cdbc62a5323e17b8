"""`config validate`: the loader's checks plus what only the router can see.

The loader already refuses unknown references (a rule's team, a schedule's member); here we add
rules that can never match because an earlier one shadows them, and schedules that leave nobody
on call for a while (unless the schedule says `allow_gaps: true`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from escalator_router.domain.schedules import coverage_gaps
from escalator_router.domain.shadowing import shadowed_rules
from escalator_shared.config import EscalatorConfig

GAPS_SHOWN = 3


def config_problems(config: EscalatorConfig, now: datetime, horizon: timedelta) -> Iterator[str]:
    """Shadowed rules, and coverage gaps within `horizon` from `now`."""
    yield from shadowed_rules(config)
    yield from schedule_gaps(config, now, horizon)


def schedule_gaps(config: EscalatorConfig, now: datetime, horizon: timedelta) -> Iterator[str]:
    """One line per schedule with gaps, showing the first few in the schedule's time zone."""
    for index, schedule in enumerate(config.schedules):
        if schedule.allow_gaps:
            continue
        gaps = coverage_gaps(schedule, now, now + horizon)
        if not gaps:
            continue
        zone = schedule.zone
        shown = ", ".join(
            f"{gap.start.astimezone(zone):%a %Y-%m-%d %H:%M} to {gap.end.astimezone(zone):%a %H:%M}"
            for gap in gaps[:GAPS_SHOWN]
        )
        more = f" and {len(gaps) - GAPS_SHOWN} more" if len(gaps) > GAPS_SHOWN else ""
        yield (
            f"schedules[{index}] ({schedule.id}): nobody on call {shown}{more} "
            f"({schedule.time_zone}); add a layer or set allow_gaps: true"
        )
