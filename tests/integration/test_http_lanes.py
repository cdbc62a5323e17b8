"""HttpLanes against a real local HTTP server: no more requests at once per origin than lanes,
each origin its own lanes, and a lane free again after any outcome."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator

import httpx
import pytest

from escalator_shared.http.client_lanes import HttpLanes
from tests.integration.fake_vendor_api import Answer, FakeVendorApi

pytestmark = pytest.mark.integration


@pytest.fixture
def second_api() -> Iterator[FakeVendorApi]:
    """Another origin (another port)."""
    server = FakeVendorApi()
    server.start()
    yield server
    server.stop()


async def test_requests_beyond_the_lanes_wait_their_turn_and_all_are_answered(
    vendor_api: FakeVendorApi,
) -> None:
    vendor_api.answers["POST"] = Answer(200, b'{"ok": true}', delay=0.1)
    lanes = HttpLanes(3, trust_env=False)
    try:
        answers = await asyncio.gather(
            *(lanes.post(f"{vendor_api.url}/hook/{i}", json={"n": i}) for i in range(12))
        )
        assert [a.status_code for a in answers] == [200] * 12
        assert [a.json() for a in answers] == [{"ok": True}] * 12  # read before the lane went
        assert sorted(r.path for r in vendor_api.received) == sorted(
            f"/hook/{i}" for i in range(12)
        )
        assert vendor_api.most_at_once == 3
        assert lanes.lanes(vendor_api.url) == 3
    finally:
        await lanes.aclose()


async def test_each_origin_has_lanes_of_its_own(
    vendor_api: FakeVendorApi, second_api: FakeVendorApi
) -> None:
    for api in (vendor_api, second_api):
        api.answers["GET"] = Answer(200, b"{}", delay=0.1)
    lanes = HttpLanes(2, trust_env=False)
    try:
        await asyncio.gather(
            *(lanes.request("GET", f"{api.url}/s") for api in (vendor_api, second_api) * 4)
        )
        assert (vendor_api.most_at_once, second_api.most_at_once) == (2, 2)
        assert (lanes.lanes(vendor_api.url), lanes.lanes(second_api.url)) == (2, 2)
    finally:
        await lanes.aclose()


async def test_a_lane_is_free_again_after_a_timeout_and_after_a_refused_connection(
    vendor_api: FakeVendorApi,
) -> None:
    lanes = HttpLanes(1, trust_env=False)
    try:
        vendor_api.answers["GET"] = Answer(200, b"{}", delay=1.0)
        with pytest.raises(httpx.TimeoutException):
            await lanes.request("GET", f"{vendor_api.url}/slow", timeout=0.2)
        refused = "http://127.0.0.1:9/closed"  # the discard port: nothing listens
        with pytest.raises(httpx.ConnectError):
            await lanes.request("GET", refused)
        vendor_api.answers["GET"] = Answer(200, b'{"fine": 1}')
        answer = await asyncio.wait_for(lanes.request("GET", f"{vendor_api.url}/again"), 5)
        assert answer.json() == {"fine": 1}
        assert lanes.lanes(vendor_api.url) == 1
    finally:
        await lanes.aclose()


async def test_a_lane_whose_request_was_cancelled_is_replaced_for_the_request_waiting(
    vendor_api: FakeVendorApi,
) -> None:
    # A cancelled request can leave httpx's pool of one believing its connection busy (every
    # later request on that lane then ends in PoolTimeout): the lane is replaced instead.
    lanes = HttpLanes(1, trust_env=False, timeout=3.0)
    try:
        vendor_api.answers["POST"] = Answer(200, b"{}", delay=2.0)
        cut = asyncio.ensure_future(lanes.post(f"{vendor_api.url}/slow", json={}))
        waiting = asyncio.ensure_future(lanes.post(f"{vendor_api.url}/next", json={}))
        async with asyncio.timeout(5):
            while not vendor_api.received:  # noqa: ASYNC110 - the server is another thread
                await asyncio.sleep(0.01)
        vendor_api.answers["POST"] = Answer(200, b'{"fine": 1}')
        cut.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cut
        answer = await asyncio.wait_for(waiting, 2)  # well before the slow answer or a timeout
        assert answer.json() == {"fine": 1}
        assert [r.path for r in vendor_api.received] == ["/slow", "/next"]
        assert lanes.lanes(vendor_api.url) == 1
    finally:
        await lanes.aclose()


def test_at_least_one_lane_per_origin() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        HttpLanes(0)


async def test_a_request_carries_its_body_basic_auth_and_our_user_agent(
    vendor_api: FakeVendorApi,
) -> None:
    vendor_api.answers["POST"] = Answer(201, b'{"sid": "SM1"}')
    lanes = HttpLanes(1, trust_env=False)
    try:
        answer = await lanes.post(
            f"{vendor_api.url}/form", json={"To": "+15550100"}, auth=("AC1", "token")
        )
        assert (answer.status_code, answer.json()) == (201, {"sid": "SM1"})
        assert answer.request.url == f"{vendor_api.url}/form"
        [received] = vendor_api.received
        assert (
            received.headers["authorization"] == "Basic " + base64.b64encode(b"AC1:token").decode()
        )
        assert (received.headers["content-type"], received.body) == (
            "application/json",
            {"To": "+15550100"},
        )
        assert received.headers["user-agent"] == "escalator"
    finally:
        await lanes.aclose()


async def test_a_proxy_named_by_the_environment_is_used_unless_no_proxy_lists_the_host(
    vendor_api: FakeVendorApi, second_api: FakeVendorApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", vendor_api.url)  # the proxy: it answers for anyone
    lanes = HttpLanes(1)
    try:
        answer = await lanes.post("http://vendor.example/cases", json={"n": 1})
        assert answer.status_code == 200
        [proxied] = vendor_api.received
        assert (proxied.path, proxied.headers["host"]) == ("/cases", "vendor.example")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        await lanes.post(f"{second_api.url}/direct", json={})  # a new origin: straight there
        assert [r.path for r in second_api.received] == ["/direct"]
        assert len(vendor_api.received) == 1
    finally:
        await lanes.aclose()
