"""Routes each envelope to the handlers registered for its event type, exactly once per consumer.

The handlers of one event run in one unit of work together with the record that the consumer
processed the event id, so a redelivered event is recognised and skipped. `handle_batch` runs the
events of a batch in one unit of work (one commit for all); if anything in it fails the whole
transaction rolls back and the consumer runner handles the events one by one instead, with the
usual retries and dead letters.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from escalator_shared.bus.consumer import Outcome
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import Envelope, Event, decode


@dataclass(frozen=True)
class HandlerContext:
    """What a handler gets besides its event: the envelope and the open unit of work."""

    envelope: Envelope
    uow: UnitOfWork

    async def emit(self, event: Event) -> Envelope:
        """Emit an event caused by the one being handled, for the same ticket and client."""
        return await self.uow.emit(
            event,
            ticket_id=self.envelope.ticket_id,
            client_id=self.envelope.client_id,
            cause=self.envelope,
        )


# Handlers take their concrete event type; the registry maps that type to them.
EventHandler = Callable[[Any, HandlerContext], Awaitable[None]]
HandlerRegistry = Mapping[type[Event], Sequence[EventHandler]]


@dataclass(frozen=True)
class Batched:
    """A handler that takes a run of events of its type at once (fewer, larger statements).

    Registered alone for its event type. Consecutive events of the type in a batch reach it
    together, in order; on its own (a retry, a redelivery) it gets a run of one.
    """

    handle: Callable[[list[tuple[Any, HandlerContext]]], Awaitable[None]]

    async def __call__(self, event: Any, context: HandlerContext) -> None:
        """Handle one event as a run of one."""
        await self.handle([(event, context)])


class EventDispatcher:
    """Decode, claim the event id for `consumer_name`, run the handlers, commit."""

    def __init__(
        self,
        consumer_name: str,
        handlers: HandlerRegistry,
        unit_of_work: Callable[[], UnitOfWork],
    ) -> None:
        self._consumer_name = consumer_name
        self._handlers = {cls.event_type: list(hs) for cls, hs in handlers.items()}
        self._unit_of_work = unit_of_work

    async def __call__(self, envelope: Envelope) -> Outcome:
        """Handle one envelope; events nobody here handles are ignored."""
        handlers = self._handlers.get(envelope.event_type)
        if not handlers:
            return "ignored"
        event = decode(envelope)
        async with self._unit_of_work() as uow:
            if not await uow.claim(self._consumer_name, envelope.event_id):
                return "duplicate"
            context = HandlerContext(envelope=envelope, uow=uow)
            for handler in handlers:
                await handler(event, context)
        return "handled"

    async def handle_batch(self, envelopes: list[Envelope]) -> list[Outcome]:
        """Handle the envelopes in order in one unit of work; raises (all rolled back) on error."""
        wanted = [(e, self._handlers.get(e.event_type)) for e in envelopes]
        ids = [e.event_id for e, handlers in wanted if handlers]
        if not ids:
            return ["ignored"] * len(envelopes)
        outcomes: list[Outcome] = []
        async with self._unit_of_work() as uow:
            claimed = await uow.claim_many(self._consumer_name, ids)
            run: list[tuple[Any, HandlerContext]] = []  # consecutive events of one Batched
            run_handler: Batched | None = None
            for envelope, handlers in wanted:
                if not handlers:
                    outcomes.append("ignored")
                    continue
                if envelope.event_id not in claimed:
                    outcomes.append("duplicate")
                    continue
                claimed.discard(envelope.event_id)  # a repeat within the batch is a duplicate
                outcomes.append("handled")
                item = (decode(envelope), HandlerContext(envelope=envelope, uow=uow))
                batched = _batched(handlers)
                if run_handler is not None and batched is not run_handler:
                    await run_handler.handle(run)
                    run, run_handler = [], None
                if batched is not None:
                    run.append(item)
                    run_handler = batched
                    continue
                for handler in handlers:
                    await handler(*item)
            if run_handler is not None:
                await run_handler.handle(run)
        return outcomes


def _batched(handlers: Sequence[EventHandler]) -> Batched | None:
    if len(handlers) == 1 and isinstance(handlers[0], Batched):
        return handlers[0]
    return None
