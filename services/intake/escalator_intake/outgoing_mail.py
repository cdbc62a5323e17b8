"""The Message-IDs of our own mail about a ticket, recorded so that replies to it thread there.

The notifier (NotificationDelivered: acknowledgements, customer updates, pages) and the vendor
gateway (VendorCaseOpened: the case email) say which Message-ID their email carried; a reply
names it in In-Reply-To or References (`email/threading.py`), whatever became of its subject.
Services never import each other: the id travels in the event.
"""

from __future__ import annotations

from escalator_intake import email_store
from escalator_shared.bus.dispatcher import HandlerContext
from escalator_shared.events import NotificationDelivered, VendorCaseOpened, utc_now


async def record_outgoing_message(
    event: NotificationDelivered | VendorCaseOpened, ctx: HandlerContext
) -> None:
    """Remember the email's Message-ID for its ticket (mail about no one ticket is skipped)."""
    ticket_id = ctx.envelope.ticket_id
    if event.message_id and ticket_id:
        await email_store.remember_message(
            ctx.uow.session, event.message_id, ticket_id, email_store.OUTBOUND, utc_now()
        )
