"""The email case channel through the shared SMTP sender to real local SMTP servers (aiosmtpd):
what the vendor receives, and how refusals and an unreachable relay are sorted. Needs no Kafka
or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from escalator_shared.smtp import SmtpEmailSender
from escalator_vendor_gateway.channels.base import CaseToOpen, OpeningFailed
from escalator_vendor_gateway.channels.email_channel import EmailCaseChannel
from escalator_vendor_gateway.domain.case_data import gather
from escalator_vendor_gateway.domain.case_message import case_context
from tests.harness.smtp_sink import SmtpSink
from tests.integration.ports import free_port
from tests.vendor_case_samples import ACME, KEY, MICROSOFT, TICKET

FIELD_LINES = [
    "Tenant ID: 9b1c7e52-acme-tenant",
    "Partner ID: 4412087",
    "Error code: AADSTS50076",
    "Users affected: 14",
    "Description: Users get AADSTS50076 since 09:00",
]


class _Refuse:
    """An SMTP server's handler answering 550 at RCPT or after DATA (4xx: for now only)."""

    def __init__(self, stage: str, answer: str) -> None:
        self._stage, self._answer = stage, answer

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if self._stage == "RCPT":
            return self._answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:  # noqa: N802
        return self._answer


def email_case() -> CaseToOpen:
    """Microsoft's case for TKT-1042, its data complete."""
    data = gather(MICROSOFT, TICKET, ACME, {"affected_users": "14"})
    return CaseToOpen(KEY, MICROSOFT, case_context(KEY, MICROSOFT, TICKET, ACME, data))


def channel_to(port: int) -> EmailCaseChannel:
    """The channel over the shared SMTP sender, relaying through 127.0.0.1:port."""
    sender = SmtpEmailSender("127.0.0.1", port, "escalator@msp.example", timeout=5.0)
    return EmailCaseChannel(sender, "msp.example")


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    """An SMTP server keeping what it receives."""
    server = SmtpSink(free_port())
    server.start()
    yield server
    server.stop()


@contextmanager
def refusing(stage: str, answer: str) -> Iterator[int]:
    """An SMTP server answering `answer` at `stage`, for the block; gives its port."""
    controller = Controller(_Refuse(stage, answer), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


async def test_the_case_email_reaches_the_vendor_with_every_field(sink: SmtpSink) -> None:
    opened = await channel_to(sink.port).open(email_case())
    assert opened.reference == KEY  # ours, until the vendor answers with theirs
    [message] = sink.messages
    assert message["To"] == "m365-support@vendor.example"
    assert message["Message-ID"] == f"<vendor-case.{KEY}@msp.example>"
    # The id (bare) goes with VendorCaseOpened, so that intake threads the vendor's replies.
    assert opened.message_id == f"vendor-case.{KEY}@msp.example"
    assert "[TKT-1042]" in message["Subject"]
    assert KEY in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None
    lines = body.get_content().splitlines()
    assert all(line in lines for line in FIELD_LINES), lines


async def test_a_resent_case_email_carries_the_same_message_id(sink: SmtpSink) -> None:
    channel = channel_to(sink.port)
    await channel.open(email_case())
    await channel.open(email_case())
    assert [m["Message-ID"] for m in sink.messages] == [f"<vendor-case.{KEY}@msp.example>"] * 2


@pytest.mark.parametrize(
    ("stage", "answer"),
    [("RCPT", "550 5.1.1 No such mailbox"), ("DATA", "550 5.7.1 Message rejected")],
)
async def test_a_5xx_refusal_fails_the_case_for_good(stage: str, answer: str) -> None:
    with refusing(stage, answer) as port:
        with pytest.raises(OpeningFailed) as caught:
            await channel_to(port).open(email_case())
        assert (caught.value.reason, caught.value.permanent) == ("smtp_refused", True)
        assert "550" in caught.value.detail


async def test_a_4xx_answer_is_retried_and_not_counted_against_the_vendor() -> None:
    with refusing("DATA", "451 4.3.0 Try again later") as port:
        with pytest.raises(OpeningFailed) as caught:
            await channel_to(port).open(email_case())
        assert (caught.value.reason, caught.value.permanent) == ("smtp", False)
        assert not caught.value.vendor_fault


async def test_an_unreachable_relay_is_retried_and_not_counted_against_the_vendor() -> None:
    with pytest.raises(OpeningFailed) as caught:
        await channel_to(free_port()).open(email_case())
    failed = caught.value
    assert (failed.reason, failed.permanent, failed.unsure) == ("smtp", False, False)
    assert not failed.vendor_fault


async def test_a_vendor_without_a_support_address_fails_for_good(sink: SmtpSink) -> None:
    vendor = MICROSOFT.model_copy(update={"support_email": None})
    case = CaseToOpen(KEY, vendor, email_case().context)
    with pytest.raises(OpeningFailed) as caught:
        await channel_to(sink.port).open(case)
    assert (caught.value.reason, caught.value.permanent) == ("config", True)
    assert sink.messages == []
