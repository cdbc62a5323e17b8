"""Each channel's request body for one message, as pure functions.

- Slack incoming webhook: Block Kit (header, text, fields, link buttons), with `text` as the
  notification preview and the person mentioned when their Slack id is known.
- Teams workflow webhook: a message with one Adaptive Card (1.4), facts and Action.OpenUrl.
- SMS (Twilio Messages API): the form fields `To`, `From`, `Body`; the body kept to two segments.
- Generic webhook: a JSON document signed with HMAC-SHA256 over `{timestamp}.{body}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SMS_LIMIT = 306  # two concatenated GSM-7 segments
_SLACK_TEXT_LIMIT = 2900  # a section's text may hold 3000 characters
_BUTTON_STYLES = {"acknowledge": "primary", "resolve": "danger"}
_LINK_ORDER = ("acknowledge", "resolve")


def ordered_links(links: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """The links as buttons show them: acknowledge, resolve, then the others by name (stored
    links come back from JSONB in no particular order)."""
    rank = {name: n for n, name in enumerate(_LINK_ORDER)}
    return sorted((links or {}).items(), key=lambda item: (rank.get(item[0], 99), item[0]))


@dataclass(frozen=True)
class Message:
    """One message ready for a channel: its words, facts, links and whom it mentions."""

    delivery_id: str
    kind: str
    subject: str
    summary: str
    text: str
    facts: Sequence[tuple[str, str]] = ()
    links: Mapping[str, str] | None = None
    mention: str | None = None
    ticket_id: str = ""
    client_id: str = ""
    occurred_at: str = ""
    thread: Sequence[str] = ()


def slack_escape(text: str) -> str:
    """Text as Slack's mrkdwn reads it literally: `&`, `<` and `>` escaped, so a title such as
    `<!channel>` neither notifies a channel nor becomes a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: Message) -> dict[str, Any]:
    """A Slack incoming-webhook body."""
    lead = f"<@{message.mention}> " if message.mention else ""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.subject[:150]}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": (lead + slack_escape(message.text))[:_SLACK_TEXT_LIMIT],
            },
        },
    ]
    if message.facts:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{slack_escape(label)}*\n{slack_escape(value)}"}
                    for label, value in message.facts[:10]
                ],
            }
        )
    if message.links:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": name.capitalize()},
                        "url": url,
                        "action_id": name,
                        **({"style": _BUTTON_STYLES[name]} if name in _BUTTON_STYLES else {}),
                    }
                    for name, url in ordered_links(message.links)
                ],
            }
        )
    return {"text": lead + slack_escape(message.summary), "blocks": blocks}


def teams_payload(message: Message) -> dict[str, Any]:
    """A Teams workflow-webhook body: one Adaptive Card."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": message.subject,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        },
        {"type": "TextBlock", "text": message.text, "wrap": True},
    ]
    if message.facts:
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": label, "value": value} for label, value in message.facts],
            }
        )
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.links:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": name.capitalize(), "url": url}
            for name, url in ordered_links(message.links)
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def sms_form(message: Message, to: str, sender: str) -> dict[str, str]:
    """The Twilio Messages API form."""
    return {"To": to, "From": sender, "Body": sms_text(message.summary)}


def sms_text(summary: str) -> str:
    """The summary, shortened to fit two SMS segments."""
    # "..." rather than an ellipsis character, which GSM-7 lacks (it would make the SMS UCS-2).
    return summary if len(summary) <= SMS_LIMIT else summary[: SMS_LIMIT - 3] + "..."


def webhook_body(message: Message) -> bytes:
    """The generic webhook's JSON document."""
    document = {
        "id": message.delivery_id,
        "kind": message.kind,
        "ticket_id": message.ticket_id,
        "client_id": message.client_id,
        "occurred_at": message.occurred_at,
        "subject": message.subject,
        "summary": message.summary,
        "text": message.text,
        "facts": dict(message.facts),
        "links": dict(message.links or {}),
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, `{timestamp}.{body}`): the receiver checks it and
    refuses old timestamps, so a captured request cannot be replayed."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()
