"""Who is told what, on which channels, and when: the severity policy and a person's rules.

- Channels: the person's rule for the kind of notice if they have one (an empty rule mutes
  it), else the priority's channels (critical: every channel, normal: email, low: digest);
  only channels the person can be reached on; email when none of them is.
- Quiet hours hold non-urgent messages until they end; urgent ones go at once.
- Urgent pages repeat every `repeat.every`, `repeat.times` times, until someone acknowledges.
- A digest item waits for the person's next digest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from escalator_notifier.domain.timing import next_digest_at, quiet_until
from escalator_shared.config import Channel, Notifications, Person
from escalator_shared.config.notifications import SENDING_CHANNELS
from escalator_shared.events import Priority

PAGE_KINDS = frozenset({"assigned", "escalated", "paged"})
DIGEST = "digest"


@dataclass(frozen=True)
class Planned:
    """One delivery to make: on `channel` to `address`, not before `send_at`."""

    channel: str
    address: str
    send_at: datetime
    held_until: datetime | None = None
    repeat: int = 0


def plan_for_person(
    *,
    kind: str,
    priority: Priority,
    person: Person,
    destinations: Mapping[Channel, str],
    policy: Notifications,
    now: datetime,
) -> list[Planned]:
    """The deliveries one notice makes to one person."""
    channels = chosen_channels(kind, priority, person, destinations, policy)
    urgent = policy.is_urgent(priority)
    zone = ZoneInfo(person.time_zone)
    held = None if urgent else quiet_until(person.notify.quiet_hours, zone, now)
    plans: list[Planned] = []
    for channel in channels:
        if channel == DIGEST:
            at = next_digest_at(person.notify, zone, now)
            plans.append(Planned(DIGEST, person.email, at))
        else:
            plans.append(Planned(channel, destinations[channel], held or now, held_until=held))
    if urgent and kind in PAGE_KINDS:
        plans.extend(_repeats(plans, policy, now))
    return plans


def chosen_channels(
    kind: str,
    priority: Priority,
    person: Person,
    destinations: Mapping[Channel, str],
    policy: Notifications,
) -> list[Channel]:
    """The channels of one notice to one person (none when the person muted the kind)."""
    rule = person.notify.rules.get(kind)  # type: ignore[call-overload]
    if rule is None:
        return policy.channels_for(list(destinations), priority)
    if not rule:
        return []
    reachable = [c for c in rule if c == DIGEST or c in destinations]
    return reachable or ["email"]


def _repeats(plans: list[Planned], policy: Notifications, now: datetime) -> list[Planned]:
    """Repeats of an urgent page on its immediate channels (email too only when alone)."""
    immediate = [p for p in plans if p.channel != DIGEST]
    noisy = [p for p in immediate if p.channel != "email"] or immediate
    return [
        Planned(p.channel, p.address, now + k * policy.repeat.every, repeat=k)
        for k in range(1, policy.repeat.times + 1)
        for p in noisy
    ]


def fallback_channel(
    person: Person, destinations: Mapping[Channel, str], tried: set[str]
) -> Channel | None:
    """The next contact method after a permanent failure: the person's order (SMS, Slack,
    Teams, webhook, email by default), skipping channels this notice already used."""
    order = person.notify.contact_order or list(SENDING_CHANNELS)
    for channel in [*order, "email"]:
        if channel != DIGEST and channel not in tried and channel in destinations:
            return channel
    return None
