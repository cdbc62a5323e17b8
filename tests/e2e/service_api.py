"""One request to one of the running services, as a given caller."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import RunningSystem


def call(
    system: RunningSystem, service: str, method: str, path: str, who: dict[str, str], **kw: Any
) -> httpx.Response:
    """The service's answer to the request, with `who`'s headers (e.g. a bearer token)."""
    with httpx.Client(base_url=system.services[service].url, timeout=10) as client:
        return client.request(method, path, headers=who, **kw)
