"""Slack, Teams, SMS and the generic webhook: HTTP posts through one shared connection pool."""

from __future__ import annotations

import time
from typing import Any

import httpx

from escalator_notifier.channels.base import SendFailed, http_failure
from escalator_notifier.domain.payloads import (
    Message,
    slack_payload,
    sms_form,
    teams_payload,
    webhook_body,
    webhook_signature,
)
from escalator_shared.config.notifications import SmsProvider
from escalator_shared.http.client_lanes import HttpLanes


async def _post(http: HttpLanes, url: str, **kwargs: Any) -> httpx.Response:
    try:
        response = await http.post(url, **kwargs)
    except httpx.HTTPError as exc:
        raise SendFailed(f"{type(exc).__name__}: {exc}", permanent=False) from exc
    if response.status_code >= 300:
        raise http_failure(response.status_code, response.text, response.headers.get("Retry-After"))
    return response


class SlackChannel:
    """A Slack incoming webhook (answers 200 `ok`)."""

    def __init__(self, http: HttpLanes) -> None:
        self._http = http

    async def send(self, message: Message, address: str) -> str:
        """Post the Block Kit message to the webhook URL."""
        response = await _post(self._http, address, json=slack_payload(message))
        return f"HTTP {response.status_code}: {response.text[:200]}"


class TeamsChannel:
    """A Teams workflow webhook (answers 202)."""

    def __init__(self, http: HttpLanes) -> None:
        self._http = http

    async def send(self, message: Message, address: str) -> str:
        """Post the Adaptive Card to the workflow URL."""
        response = await _post(self._http, address, json=teams_payload(message))
        return f"HTTP {response.status_code}: {response.text[:200]}"


class SmsChannel:
    """Twilio's Messages API: a form post with basic auth; the answer carries the message sid."""

    def __init__(self, http: HttpLanes, provider: SmsProvider, auth_token: str) -> None:
        self._http = http
        self._provider = provider
        self._auth = (provider.account_sid, auth_token)
        base = provider.base_url.rstrip("/")
        self._url = f"{base}/2010-04-01/Accounts/{provider.account_sid}/Messages.json"

    async def send(self, message: Message, address: str) -> str:
        """Send the summary as a text message to the phone number."""
        form = sms_form(message, address, self._provider.from_number)
        response = await _post(self._http, self._url, data=form, auth=self._auth)
        try:
            sid = response.json().get("sid", "")
        except ValueError:
            sid = ""
        return f"HTTP {response.status_code}: sid {sid}" if sid else f"HTTP {response.status_code}"


class WebhookChannel:
    """A generic JSON webhook signed with HMAC-SHA256; the delivery id is the Idempotency-Key,
    so a receiver can drop a resend."""

    def __init__(self, http: HttpLanes, secret: str) -> None:
        self._http = http
        self._secret = secret

    async def send(self, message: Message, address: str) -> str:
        """Post the signed document to the URL."""
        body = webhook_body(message)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": message.delivery_id,
            "X-Escalator-Timestamp": timestamp,
            "X-Escalator-Signature": webhook_signature(self._secret, timestamp, body),
        }
        response = await _post(self._http, address, content=body, headers=headers)
        return f"HTTP {response.status_code}: {response.text[:200]}"
