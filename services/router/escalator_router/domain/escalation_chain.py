"""An escalation chain as a pure state machine: steps, rounds, acknowledgement, triggers.

The router stores a `Chain` per ticket with a snapshot of its policy; the escalation timer and
the handlers call these functions and persist what they return. Triggers are dispatched through
an action table (next step, page the current step again, ignore, or page extra targets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from escalator_shared.config import EscalationPolicy
from escalator_shared.events import EscalationReason


class ChainStatus(StrEnum):
    """Where a chain stands."""

    ACTIVE = "active"  # waiting for an acknowledgement; the timer may move it on
    ACKNOWLEDGED = "acknowledged"  # someone has it; only triggers move it
    EXHAUSTED = "exhausted"  # every step and repeat done, nobody acknowledged
    RESOLVED = "resolved"  # the ticket is resolved; nothing moves it until a reopen


@dataclass(frozen=True)
class Chain:
    """One ticket's position in its policy."""

    step: int
    round: int
    status: ChainStatus
    next_at: datetime | None


@dataclass(frozen=True)
class StepReached:
    """The chain moved to a step: page its targets."""

    step: int
    round: int
    reason: str
    detail: str = ""  # more on why, for the page (a trigger's note)


@dataclass(frozen=True)
class ExtraPage:
    """Page these targets without moving the chain."""

    targets: tuple[str, ...]
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Unchanged:
    """The trigger changed nothing; `why` goes to the log."""

    why: str


Outcome = StepReached | ExtraPage | Unchanged


def start(
    policy: EscalationPolicy, now: datetime, reason: str = "routed", detail: str = ""
) -> tuple[Chain, Outcome]:
    """A new chain at step 0 (a new ticket, or a reopened one)."""
    return _at_step(policy, 0, 0, now), StepReached(0, 0, reason, detail)


def acknowledge(chain: Chain) -> Chain:
    """Someone took the ticket: no more timed escalation."""
    if chain.status is ChainStatus.RESOLVED:
        return chain
    return replace(chain, status=ChainStatus.ACKNOWLEDGED, next_at=None)


def resolve(chain: Chain) -> Chain:
    """The ticket is resolved: the chain ends."""
    return replace(chain, status=ChainStatus.RESOLVED, next_at=None)


def time_is_up(chain: Chain, now: datetime) -> bool:
    """Whether the unacknowledged wait on the current step is over."""
    return chain.status is ChainStatus.ACTIVE and chain.next_at is not None and chain.next_at <= now


def timeout(policy: EscalationPolicy, chain: Chain, now: datetime) -> tuple[Chain, Outcome]:
    """Nobody acknowledged the current step in time: move up (the timer's only move)."""
    return _next_step(policy, chain, EscalationReason.NOT_ACKNOWLEDGED, now)


def trigger(
    policy: EscalationPolicy, chain: Chain, reason: EscalationReason, now: datetime
) -> tuple[Chain, Outcome]:
    """What `reason` does to the chain under the policy's action table."""
    if chain.status is ChainStatus.RESOLVED:
        return chain, Unchanged(f"{reason}: the ticket is resolved")
    action = policy.action(reason)
    if isinstance(action, list):
        return chain, ExtraPage(targets=tuple(action), reason=reason.value)
    return _ACTIONS[action](policy, chain, reason, now)


def _next_step(
    policy: EscalationPolicy, chain: Chain, reason: EscalationReason, now: datetime
) -> tuple[Chain, Outcome]:
    if chain.status is ChainStatus.EXHAUSTED:
        return chain, Unchanged(f"{reason}: the chain is exhausted")
    step, round_ = chain.step + 1, chain.round
    if step >= len(policy.steps):
        if round_ >= policy.repeat:
            exhausted = replace(chain, status=ChainStatus.EXHAUSTED, next_at=None)
            return exhausted, Unchanged(f"{reason}: no step after the last one")
        step, round_ = 0, round_ + 1
    return _at_step(policy, step, round_, now), StepReached(step, round_, reason.value)


def _page_current(
    _policy: EscalationPolicy, chain: Chain, reason: EscalationReason, _now: datetime
) -> tuple[Chain, Outcome]:
    return chain, StepReached(chain.step, chain.round, reason.value)


def _ignore(
    _policy: EscalationPolicy, chain: Chain, reason: EscalationReason, _now: datetime
) -> tuple[Chain, Outcome]:
    return chain, Unchanged(f"{reason}: ignored by the policy")


_Action = Callable[[EscalationPolicy, Chain, EscalationReason, datetime], tuple[Chain, Outcome]]
_ACTIONS: dict[str, _Action] = {
    "next_step": _next_step,
    "page_current": _page_current,
    "ignore": _ignore,
}


def _at_step(policy: EscalationPolicy, step: int, round_: int, now: datetime) -> Chain:
    wait = policy.steps[step].escalate_after
    return Chain(step, round_, ChainStatus.ACTIVE, now + wait if wait is not None else None)


@dataclass(frozen=True)
class PlannedStep:
    """A step of the chain as it would unfold with nobody acknowledging."""

    offset_seconds: float
    step: int
    round: int


def plan(policy: EscalationPolicy, limit: int = 50) -> list[PlannedStep]:
    """Every step the chain would reach from T+0 if nobody acknowledged, with its offset."""
    planned = [PlannedStep(0.0, 0, 0)]
    offset = 0.0
    chain = _at_step(policy, 0, 0, _EPOCH)
    while chain.next_at is not None and len(planned) < limit:
        offset = (chain.next_at - _EPOCH).total_seconds()
        chain, outcome = timeout(policy, chain, chain.next_at)
        if not isinstance(outcome, StepReached):
            break
        planned.append(PlannedStep(offset, outcome.step, outcome.round))
    return planned


_EPOCH = datetime(2000, 1, 1)
