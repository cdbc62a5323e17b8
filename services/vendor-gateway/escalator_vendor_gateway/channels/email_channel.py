"""Cases by email: the rendered message, with a Message-ID made from the case key.

The Message-ID is the same on every attempt, so a message resent after a lost answer is
recognisably the same case, and the vendor's replies (In-Reply-To) name it. It goes with
VendorCaseOpened, so that intake threads those replies into the ticket.
"""

from __future__ import annotations

import time

import aiosmtplib

from escalator_shared.errors import PermanentError
from escalator_shared.smtp import EmailSender, OutgoingEmail
from escalator_vendor_gateway.channels.base import CaseToOpen, OpenedCase, OpeningFailed
from escalator_vendor_gateway.domain.case_message import vendor_email


def case_message_id(key: str, domain: str) -> str:
    """The Message-ID (bare) of a case's email."""
    return f"vendor-case.{key}@{domain}"


class EmailCaseChannel:
    """Sends the case to the vendor's support address."""

    def __init__(self, sender: EmailSender, message_id_domain: str) -> None:
        self._sender = sender
        self._domain = message_id_domain

    async def open(self, case: CaseToOpen) -> OpenedCase:
        """Send the case email; our case key is its reference until the vendor gives one."""
        address = case.vendor.support_email
        if not address:
            raise OpeningFailed("config", f"{case.vendor.id} has no support_email", permanent=True)
        words = vendor_email(case.context)
        message_id = case_message_id(case.key, self._domain)
        started = time.perf_counter()
        try:
            await self._sender.send(
                OutgoingEmail(
                    to=address, subject=words.subject, body=words.body, message_id=message_id
                )
            )
        except PermanentError as exc:
            raise OpeningFailed("smtp_refused", str(exc), permanent=True) from exc
        except aiosmtplib.SMTPServerDisconnected as exc:
            # The connection dropped mid-conversation: the message may have been taken.
            raise OpeningFailed("smtp", str(exc), unsure=True, vendor_fault=False) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise OpeningFailed("smtp", f"{type(exc).__name__}: {exc}", vendor_fault=False) from exc
        return OpenedCase(case.key, time.perf_counter() - started, message_id=message_id)
