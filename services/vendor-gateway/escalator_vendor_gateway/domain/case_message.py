"""The words of a case: the email to the vendor, the client's update, the call sheet.

Templates are Jinja2 over one case context (`case_context`); a vendor API's JSON body is rendered
from the same context, so every channel carries the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from escalator_shared.config import Client, Vendor
from escalator_shared.config.sla import target_for
from escalator_shared.events import Priority
from escalator_vendor_gateway.domain.case_data import CaseData
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot

# Sandboxed: API bodies come from the configuration, and must not reach Python internals.
TEMPLATES = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True)

VENDOR_SUBJECT = TEMPLATES.from_string(
    "{{ tag }} {{ client.name }}: {{ title }} ({{ priority }}) - case {{ key }}"
)
VENDOR_BODY = TEMPLATES.from_string(
    """Hello {{ vendor.name }} support,

We are opening a case for our client {{ client.name }}.

Priority: {{ priority }}
Summary: {{ title }}
{% for field in fields %}
{{ field.label }}: {{ field.value }}
{% endfor %}
{% if description %}

Description:
{{ description }}
{% endif %}

Our case key is {{ key }} (ticket {{ reference }}). Please keep the subject as it is when you
reply, so that your answer reaches the ticket.
"""
)
CLIENT_SUBJECT = TEMPLATES.from_string("{{ tag }} We have escalated this to {{ vendor.name }}")
CLIENT_BODY = TEMPLATES.from_string(
    """Hello,

We have escalated "{{ title }}" to {{ vendor.name }}{% if case_reference %} (their case
{{ case_reference }}){% endif %}.
{% if committed %}
{{ vendor.name }}'s committed response for this priority is {{ committed }}.
{% endif %}
We keep working on it with them and will update you as it progresses.
"""
)


TECHNICIAN_SUBJECT = TEMPLATES.from_string("{{ tag }} {{ vendor.name }} case: {{ action }}")
TECHNICIAN_BODY = TEMPLATES.from_string(
    """The {{ vendor.name }} case for "{{ title }}" ({{ client.name }}, {{ priority }}) needs you:

{{ detail }}
"""
)


@dataclass(frozen=True)
class Words:
    """A subject and a body."""

    subject: str
    body: str


def case_context(
    key: str, vendor: Vendor, ticket: TicketSnapshot, client: Client, data: CaseData
) -> dict[str, Any]:
    """Everything a template may use; `values` by field name, `fields` with their labels."""
    labels = {f.name: f.title for f in vendor.requires}
    return {
        "key": key,
        "ticket_id": ticket.ticket_id,
        "reference": ticket.reference or ticket.ticket_id,
        "tag": ticket.tag,
        "title": ticket.title,
        "priority": ticket.priority,
        "description": ticket.description,
        "device": ticket.device or "",
        "requester": ticket.requester or "",
        "error_codes": list(ticket.error_codes),
        "values": dict(data.values),
        "fields": [
            {"name": name, "label": labels.get(name, name), "value": value}
            for name, value in data.values.items()
        ],
        "vendor": {"id": vendor.id, "name": vendor.name, "account": dict(vendor.account)},
        "client": {"id": client.id, "name": client.name},
    }


def vendor_email(context: dict[str, Any]) -> Words:
    """The email opening the case."""
    return Words(VENDOR_SUBJECT.render(context), VENDOR_BODY.render(context))


def client_update(context: dict[str, Any], vendor: Vendor, case_reference: str | None) -> Words:
    """The client's notice that the vendor is engaged, with the vendor's committed response
    (for a priority the commitment does not list, its least urgent one, as the vendor's clock
    in the SLA timer takes it)."""
    targets = vendor.commitment.acknowledge
    committed = target_for(targets, Priority(context["priority"])) if targets else None
    assert not isinstance(committed, str)  # vendor targets are durations
    words = {**context, "case_reference": case_reference, "committed": readable_span(committed)}
    return Words(CLIENT_SUBJECT.render(words), CLIENT_BODY.render(words))


def technician_notice(context: dict[str, Any], action: str, detail: str) -> Words:
    """What the assigned technician is told when a case needs them."""
    words = {**context, "action": action, "detail": detail}
    return Words(TECHNICIAN_SUBJECT.render(words), TECHNICIAN_BODY.render(words))


def render_json(template: Any, context: dict[str, Any]) -> Any:
    """A JSON body template with each string rendered over the case context."""
    if isinstance(template, str):
        return TEMPLATES.from_string(template).render(context)
    if isinstance(template, dict):
        return {k: render_json(v, context) for k, v in template.items()}
    if isinstance(template, list):
        return [render_json(v, context) for v in template]
    return template


def readable_span(span: timedelta | None) -> str:
    """A span as people say it: 4 hours, 2 days, 90 seconds."""
    if span is None:
        return ""
    seconds = int(span.total_seconds())
    if seconds % 60:  # durations may be given in seconds; whole units would round them away
        return f"{seconds} second{'s' * (seconds != 1)}"
    minutes = seconds // 60
    if minutes % (24 * 60) == 0 and minutes >= 24 * 60:
        days = minutes // (24 * 60)
        return f"{days} day{'s' * (days != 1)}"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' * (hours != 1)}"
    return f"{minutes} minute{'s' * (minutes != 1)}"
