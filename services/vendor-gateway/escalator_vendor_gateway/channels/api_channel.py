"""Cases by REST API: the configured request, sent with the case key as Idempotency-Key.

Answers are sorted into what to do next: a 2xx with the case number opens the case; 429 and 503
wait at least the vendor's Retry-After; other 5xx, timeouts and dropped connections are retried
(a timeout may have created the case, so the next attempt looks it up first where the API can);
a 2xx without a readable case number is *malformed* and handled like a timeout; other 4xx are
permanent (our request or credentials are wrong, and retrying repeats the mistake).

The same client asks for an open case's status where the vendor's `api.poll` says so.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from escalator_shared.config.vendor_api import VendorApi
from escalator_shared.events import utc_now
from escalator_shared.http.client_lanes import HttpLanes
from escalator_vendor_gateway.channels.api_presets import (
    find_path,
    lookup_request,
    opening_request,
    status_request,
)
from escalator_vendor_gateway.channels.base import CaseToOpen, OpenedCase, OpeningFailed

IDEMPOTENCY_HEADER = "Idempotency-Key"


class ApiCaseChannel:
    """Opens cases through vendors' APIs over shared keep-alive connections (HttpLanes)."""

    def __init__(self, http: HttpLanes, secrets: Mapping[str, str]) -> None:
        self._http = http
        self._secrets = secrets

    async def open(self, case: CaseToOpen) -> OpenedCase:
        """Look the case up first if an earlier attempt may have made it; else create it."""
        api = case.vendor.api
        if api is None:
            raise OpeningFailed("config", f"{case.vendor.id} has no api entry", permanent=True)
        started = time.perf_counter()
        if case.unsure:
            found = await self._look_up(api, case.key)
            if found is not None:
                return OpenedCase(found, time.perf_counter() - started)
        request = opening_request(api, case.context)
        response = await self._send(
            api,
            request.method,
            request.url,
            json=request.body,
            headers={IDEMPOTENCY_HEADER: case.key},
        )
        number = _case_number(response, request.case_number_path)
        return OpenedCase(number, time.perf_counter() - started)

    async def status(self, api: VendorApi, number: str) -> str:
        """The vendor's status of its case `number` (OpeningFailed names what went wrong)."""
        url, query, status_path = status_request(api, number)
        response = await self._send(api, "GET", url, params=query)
        status = find_path(_json(response), status_path)
        if status in (None, "") or isinstance(status, dict | list):
            raise OpeningFailed(
                "malformed", f"no status at {status_path!r} in the answer: {response.text[:300]}"
            )
        return str(status)

    async def _look_up(self, api: VendorApi, key: str) -> str | None:
        lookup = lookup_request(api, key)
        if lookup is None:
            return None  # the Idempotency-Key is all that guards a resend
        url, query, number_path = lookup
        response = await self._send(api, "GET", url, params=query)
        found = find_path(_json(response), number_path)
        return str(found) if found not in (None, "") else None

    async def _send(self, api: VendorApi, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
        if api.auth_secret is not None:
            secret = self._secrets.get(api.auth_secret)
            if secret is None:
                raise OpeningFailed(
                    "config",
                    f"secret {api.auth_secret!r} is not in ESCALATOR_VENDOR_SECRETS",
                    permanent=True,
                    vendor_fault=False,
                )
            headers[api.auth_header] = secret
        try:
            response = await self._http.request(
                method,
                url,
                headers=headers,
                timeout=api.timeout.total_seconds(),
                **kwargs,
            )
        except httpx.TimeoutException as exc:
            raise OpeningFailed("timeout", f"no answer from {url}", unsure=True) from exc
        except httpx.TransportError as exc:
            # Refused or reset before an answer; a reset after the body went may have landed.
            unsure = not isinstance(exc, httpx.ConnectError)
            raise OpeningFailed(
                "connection", f"{type(exc).__name__}: {exc}", unsure=unsure
            ) from exc
        _raise_for_answer(response)
        return response


def _raise_for_answer(response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    detail = f"HTTP {status} from {response.request.url}: {response.text[:300]}"
    if status in (429, 503):
        raise OpeningFailed(
            "http_429" if status == 429 else "http_5xx",
            detail,
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 500:
        raise OpeningFailed("http_5xx", detail)
    if status in (408, 409):  # timed out or conflicting at the vendor: the case may exist
        raise OpeningFailed("http_4xx", detail, unsure=True)
    raise OpeningFailed("http_4xx", detail, permanent=True, vendor_fault=False)


def _case_number(response: httpx.Response, path: str) -> str:
    number = find_path(_json(response), path)
    if number in (None, "") or isinstance(number, dict | list):
        raise OpeningFailed(
            "malformed",
            f"no case number at {path!r} in the answer: {response.text[:300]}",
            unsure=True,
        )
    return str(number)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise OpeningFailed(
            "malformed", f"the answer is not JSON: {response.text[:300]!r}", unsure=True
        ) from exc


def _retry_after(value: str | None) -> timedelta | None:
    """Retry-After in seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return timedelta(seconds=int(value.strip()))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when - utc_now(), timedelta(0))
