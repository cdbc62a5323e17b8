"""The API case channel against a real local HTTP server: one POST per case, and every kind of
answer sorted into what the opener does next. Needs no Kafka or PostgreSQL."""

from __future__ import annotations

import email.utils
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from escalator_shared.config.vendor_api import VendorApi
from escalator_shared.http.client_lanes import HttpLanes
from escalator_vendor_gateway.channels.api_channel import ApiCaseChannel
from escalator_vendor_gateway.channels.base import CaseToOpen, OpeningFailed
from escalator_vendor_gateway.domain.case_data import gather
from escalator_vendor_gateway.domain.case_message import case_context
from tests.integration.fake_vendor_api import Answer, FakeVendorApi
from tests.integration.ports import free_port
from tests.vendor_case_samples import ACME, KEY, MICROSOFT, TICKET

SECRETS = {"vendor-token": "Bearer s3cret"}


@pytest.fixture
async def channel() -> AsyncIterator[ApiCaseChannel]:
    """The channel over a real httpx client (no proxies from the environment)."""
    http = HttpLanes(4, trust_env=False)
    yield ApiCaseChannel(http, SECRETS)
    await http.aclose()


def api_case(url: str, *, unsure: bool = False, **api: Any) -> CaseToOpen:
    """Microsoft's case for TKT-1042, sent through the API entry `api` describes."""
    entry = {"url": url, "timeout": "1s", "auth_secret": "vendor-token", **api}
    vendor = MICROSOFT.model_copy(update={"api": VendorApi.model_validate(entry)})
    data = gather(vendor, TICKET, ACME, {"affected_users": "14"})
    return CaseToOpen(KEY, vendor, case_context(KEY, vendor, TICKET, ACME, data), unsure)


async def failure_of(channel: ApiCaseChannel, case: CaseToOpen) -> OpeningFailed:
    """The OpeningFailed the attempt raises."""
    with pytest.raises(OpeningFailed) as caught:
        await channel.open(case)
    return caught.value


async def test_a_case_goes_out_in_one_post_with_our_key_and_credentials(
    vendor_api: FakeVendorApi, channel: ApiCaseChannel
) -> None:
    vendor_api.answers["POST"] = Answer.json(201, {"case_number": "VC-77"})
    opened = await channel.open(api_case(f"{vendor_api.url}/cases"))
    assert opened.reference == "VC-77"
    assert opened.vendor_seconds > 0
    [post] = vendor_api.received
    assert (post.method, post.path) == ("POST", "/cases")
    assert post.headers["idempotency-key"] == KEY
    assert post.headers["authorization"] == "Bearer s3cret"
    assert post.headers["accept"] == "application/json"
    assert post.body["case_key"] == KEY
    assert post.body["reference"] == "TKT-1042"
    assert post.body["client"] == {"id": "acme", "name": "ACME Manufacturing"}
    assert post.body["fields"]["tenant_id"] == "9b1c7e52-acme-tenant"
    assert post.body["fields"]["affected_users"] == "14"


@pytest.mark.parametrize(
    ("preset", "path", "answer", "number", "key_at"),
    [
        (
            "servicenow",
            "/api/now/table/incident",
            {"result": {"number": "INC0010001", "sys_id": "a1"}},
            "INC0010001",
            ("correlation_id",),
        ),
        (
            "zendesk",
            "/api/v2/tickets.json",
            {"ticket": {"id": 4711}},
            "4711",
            ("ticket", "external_id"),
        ),
    ],
)
async def test_presets_post_to_their_path_and_read_the_number_where_it_comes_back(
    vendor_api: FakeVendorApi,
    channel: ApiCaseChannel,
    preset: str,
    path: str,
    answer: dict[str, Any],
    number: str,
    key_at: tuple[str, ...],
) -> None:
    vendor_api.answers["POST"] = Answer.json(201, answer)
    opened = await channel.open(api_case(vendor_api.url, preset=preset))
    assert opened.reference == number
    [post] = vendor_api.received
    assert post.path == path
    body = post.body
    for part in key_at:
        body = body[part]
    assert body == KEY


async def test_429_waits_the_seconds_of_retry_after(
    vendor_api: FakeVendorApi, channel: ApiCaseChannel
) -> None:
    vendor_api.answers["POST"] = Answer.json(429, {"error": "slow down"}, **{"Retry-After": "7"})
    failed = await failure_of(channel, api_case(f"{vendor_api.url}/cases"))
    assert (failed.reason, failed.retry_after) == ("http_429", timedelta(seconds=7))
    assert not failed.permanent
    assert not failed.unsure
    assert failed.vendor_fault
    assert len(vendor_api.received) == 1


async def test_503_waits_until_the_http_date_of_retry_after(
    vendor_api: FakeVendorApi, channel: ApiCaseChannel
) -> None:
    until = email.utils.format_datetime(datetime.now(UTC) + timedelta(minutes=2), usegmt=True)
    vendor_api.answers["POST"] = Answer.json(503, {}, **{"Retry-After": until})
    failed = await failure_of(channel, api_case(f"{vendor_api.url}/cases"))
    assert failed.reason == "http_5xx"
    assert failed.retry_after is not None
    assert timedelta(seconds=100) < failed.retry_after <= timedelta(minutes=2)
    assert not failed.permanent


@pytest.mark.parametrize("status", [500, 502])
async def test_other_server_errors_are_retried_without_a_floor(
    vendor_api: FakeVendorApi, channel: ApiCaseChannel, status: int
) -> None:
    vendor_api.answers["POST"] = Answer.json(status, {"error": "boom"})
    failed = await failure_of(channel, api_case(f"{vendor_api.url}/cases"))
    assert (failed.reason, failed.retry_after, failed.permanent) == ("http_5xx", None, False)
    assert failed.vendor_fault
    assert f"HTTP {status}" in failed.detail


async def test_no_answer_within_the_timeout_may_have_made_the_case(
    vendor_api: FakeVendorApi, channel: ApiCaseChannel
) -> None:
    vendor_api.answers["POST"] = Answer(201, b'{"case_number": "VC-late"}', delay=5.0)
    failed = await failure_of(channel, api_case(f"{vendor_api.url}/cases"))
    assert (failed.reason, failed.unsure, failed.permanent) == ("timeout", True, False)
    assert len(vendor_api.of("POST")) == 1


@pytest.mark.parametrize(
    "answer",
    [
        Answer(200, b"<html>Service portal</html>", {"Content-Type": "text/html"}),
        Answer.json(201, {"id": "VC-77"}),  # the number is not where the entry says
        Answer.json(201, {"case_number": ""}),
        Answer.json(201, {"case_number": {"value": "VC-77"}}),
    ],
)
async def test_a_success_without_a_readable_number_is_malformed_and_unsure(
    vendor_api: FakeVendorApi, channel: ApiCaseChannel, answer: Answer
) -> None:
    vendor_api.answers["POST"] = answer
    failed = await failure_of(channel, api_case(f"{vendor_api.url}/cases"))
    assert (failed.reason, failed.unsure, failed.permanent) == ("malformed", True, False)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_client_errors_are_permanent_and_not_the_vendors_fault(
    vendor_api: FakeVendorApi, channel: ApiCaseChannel, status: int
) -> None:
    vendor_api.answers["POST"] = Answer.json(status, {"error": "no"})
    failed = await failure_of(channel, api_case(f"{vendor_api.url}/cases"))
    assert (failed.reason, failed.permanent, failed.vendor_fault) == ("http_4xx", True, False)
    assert not failed.unsure
    assert len(vendor_api.received) == 1


async def test_an_unsure_case_found_by_lookup_is_not_posted_again(
    vendor_api: FakeVendorApi, channel: ApiCaseChannel
) -> None:
    vendor_api.answers["GET"] = Answer.json(200, {"result": [{"number": "INC0010001"}]})
    opened = await channel.open(api_case(vendor_api.url, preset="servicenow", unsure=True))
    assert opened.reference == "INC0010001"
    [lookup] = vendor_api.received
    assert (lookup.method, lookup.path) == ("GET", "/api/now/table/incident")
    assert lookup.query["sysparm_query"] == [f"correlation_id={KEY}"]
    assert lookup.headers["authorization"] == "Bearer s3cret"


async def test_an_unsure_case_not_found_is_posted_once(
    vendor_api: FakeVendorApi, channel: ApiCaseChannel
) -> None:
    vendor_api.answers["GET"] = Answer.json(200, {"result": []})
    vendor_api.answers["POST"] = Answer.json(201, {"result": {"number": "INC0010002"}})
    opened = await channel.open(api_case(vendor_api.url, preset="servicenow", unsure=True))
    assert opened.reference == "INC0010002"
    assert [r.method for r in vendor_api.received] == ["GET", "POST"]
    assert vendor_api.of("POST")[0].headers["idempotency-key"] == KEY


async def test_zendesk_finds_an_unsure_case_by_external_id(
    vendor_api: FakeVendorApi, channel: ApiCaseChannel
) -> None:
    vendor_api.answers["GET"] = Answer.json(200, {"tickets": [{"id": 4711}], "count": 1})
    opened = await channel.open(api_case(vendor_api.url, preset="zendesk", unsure=True))
    assert opened.reference == "4711"
    assert [(r.method, r.query) for r in vendor_api.received] == [("GET", {"external_id": [KEY]})]


async def test_an_unsure_case_without_lookup_is_resent_under_the_same_key(
    vendor_api: FakeVendorApi, channel: ApiCaseChannel
) -> None:
    vendor_api.answers["POST"] = Answer.json(200, {"case_number": "VC-77"})
    opened = await channel.open(api_case(f"{vendor_api.url}/cases", unsure=True))
    assert opened.reference == "VC-77"
    [post] = vendor_api.received
    assert (post.method, post.headers["idempotency-key"]) == ("POST", KEY)


async def test_a_missing_secret_fails_for_good_before_anything_is_sent(
    vendor_api: FakeVendorApi, channel: ApiCaseChannel
) -> None:
    case = api_case(f"{vendor_api.url}/cases", auth_secret="nowhere")
    failed = await failure_of(channel, case)
    assert (failed.reason, failed.permanent, failed.vendor_fault) == ("config", True, False)
    assert vendor_api.received == []


async def test_a_refused_connection_is_retried_and_cannot_have_made_the_case(
    channel: ApiCaseChannel,
) -> None:
    failed = await failure_of(channel, api_case(f"http://127.0.0.1:{free_port()}/cases"))
    assert (failed.reason, failed.unsure, failed.permanent) == ("connection", False, False)
