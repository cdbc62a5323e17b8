"""Routes each envelope to the handlers registered for its event type, exactly once per consumer.

The handlers of one event run in one unit of work together with the record that the consumer
processed the event id, so a redelivered event is recognised and skipped.
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
