"""The words of a vendor case, hotline hours, and the request shapes of the API presets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from escalator_shared.config.sla import VendorCommitment
from escalator_shared.config.vendor_api import VendorApi
from escalator_shared.config.vendors import Hotline
from escalator_vendor_gateway.channels.api_presets import (
    find_path,
    lookup_request,
    opening_request,
    status_updates,
)
from escalator_vendor_gateway.domain.case_data import gather
from escalator_vendor_gateway.domain.case_message import (
    case_context,
    client_update,
    render_json,
    vendor_email,
)
from escalator_vendor_gateway.domain.hotline import hours_text, is_open
from tests.vendor_case_samples import ACME, ISP, KEY, MICROSOFT, TICKET

CONTEXT = case_context(
    KEY, MICROSOFT, TICKET, ACME, gather(MICROSOFT, TICKET, ACME, {"affected_users": "14"})
)


def _api(**fields: Any) -> VendorApi:
    return VendorApi.model_validate({"url": "https://vendor.example/", **fields})


# Messages


def test_the_vendor_email_names_the_ticket_client_and_case_key_in_its_subject() -> None:
    assert vendor_email(CONTEXT).subject == (
        "[TKT-1042] ACME Manufacturing: Sign-ins failing for finance (P2) - case vc-t-1-microsoft"
    )


def test_the_vendor_email_body_carries_every_field_under_its_label() -> None:
    lines = vendor_email(CONTEXT).body.splitlines()
    assert lines[0] == "Hello Microsoft 365 support,"
    expected = [
        "Priority: P2",
        "Summary: Sign-ins failing for finance",
        "Tenant ID: 9b1c7e52-acme-tenant",
        "Partner ID: 4412087",
        "Error code: AADSTS50076",
        "Users affected: 14",
        "Description: Users get AADSTS50076 since 09:00",
    ]
    start = lines.index("Priority: P2")
    assert lines[start : start + len(expected)] == expected  # one per line, no blank gaps
    assert "Our case key is vc-t-1-microsoft (ticket TKT-1042)." in " ".join(lines)


def test_the_client_update_names_the_vendor_case_and_its_committed_response() -> None:
    words = client_update(CONTEXT, MICROSOFT, "INC0010001")
    assert words.subject == "[TKT-1042] We have escalated this to Microsoft 365"
    text = " ".join(words.body.split())
    assert (
        'We have escalated "Sign-ins failing for finance" to Microsoft 365 (their case INC0010001).'
        in text
    )
    assert "Microsoft 365's committed response for this priority is 2 hours." in text


@pytest.mark.parametrize(
    ("committed", "words"),
    [
        ("1h", "1 hour"),
        ("4h", "4 hours"),
        ("30m", "30 minutes"),
        ("90m", "90 minutes"),
        ("1m", "1 minute"),
        ("1d", "1 day"),
        ("48h", "2 days"),
        ("45s", "45 seconds"),
        ("1s", "1 second"),
        ("90s", "90 seconds"),
    ],
)
def test_the_committed_response_reads_in_whole_units(committed: str, words: str) -> None:
    commitment = VendorCommitment.model_validate({"acknowledge": {"P2": committed}})
    vendor = MICROSOFT.model_copy(update={"commitment": commitment})
    body = client_update(CONTEXT, vendor, None).body
    assert f"committed response for this priority is {words}." in body


def test_without_a_commitment_or_a_vendor_case_the_update_says_neither() -> None:
    uncommitted = MICROSOFT.model_copy(update={"commitment": VendorCommitment()})
    body = client_update(CONTEXT, uncommitted, None).body
    assert "committed" not in body
    assert "their case" not in body
    assert 'We have escalated "Sign-ins failing for finance" to Microsoft 365.' in body


def test_json_templates_render_nested_strings_and_keep_other_values() -> None:
    template = {
        "summary": "{{ tag }} {{ title }}",
        "tenant": "{{ values.tenant_id }}",
        "tags": ["escalator", "{{ client.id }}"],
        "urgent": True,
        "impact": 2,
    }
    assert render_json(template, CONTEXT) == {
        "summary": "[TKT-1042] Sign-ins failing for finance",
        "tenant": "9b1c7e52-acme-tenant",
        "tags": ["escalator", "acme"],
        "urgent": True,
        "impact": 2,
    }


@pytest.mark.parametrize(
    "template",
    ["{{ ''.__class__ }}", "{{ title.__class__.__mro__ }}", "{{ cycler.__init__.__globals__ }}"],
)
def test_a_configured_template_cannot_reach_python_internals(template: str) -> None:
    with pytest.raises(SecurityError):
        render_json({"x": template}, CONTEXT)


def test_a_template_naming_an_unknown_value_fails_instead_of_sending_blanks() -> None:
    with pytest.raises(UndefinedError):
        render_json({"x": "{{ values.no_such_field }}"}, CONTEXT)


# Hotline


def _hotline(zone: str, days: list[str], start: str, end: str) -> Hotline:
    return Hotline.model_validate(
        {
            "number": "+1 555",
            "time_zone": zone,
            "hours": [{"days": days, "start": start, "end": end}],
        }
    )


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (datetime(2026, 11, 23, 6, 59, tzinfo=UTC), False),  # Mon 06:59 GMT
        (datetime(2026, 11, 23, 7, 0, tzinfo=UTC), True),
        (datetime(2026, 7, 6, 6, 30, tzinfo=UTC), True),  # Mon 07:30 BST
        (datetime(2026, 7, 6, 21, 30, tzinfo=UTC), False),  # Mon 22:30 BST
        (datetime(2026, 11, 23, 16, 59, tzinfo=ZoneInfo("America/New_York")), True),
        (datetime(2026, 11, 23, 17, 0, tzinfo=ZoneInfo("America/New_York")), False),
        (datetime(2026, 11, 22, 12, 0, tzinfo=UTC), False),  # Sunday
    ],
)
def test_the_hotline_is_open_by_its_own_time_zone(at: datetime, open_: bool) -> None:
    assert ISP.hotline is not None
    assert is_open(ISP.hotline, at) is open_


def test_a_hotline_far_east_opens_on_its_monday_while_it_is_sunday_in_utc() -> None:
    tokyo = _hotline("Asia/Tokyo", ["mon", "tue", "wed", "thu", "fri"], "09:00", "18:00")
    assert not is_open(tokyo, datetime(2026, 11, 22, 23, 59, tzinfo=UTC))  # Mon 08:59 JST
    assert is_open(tokyo, datetime(2026, 11, 23, 0, 0, tzinfo=UTC))  # Mon 09:00 JST
    assert not is_open(tokyo, datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # Fri 18:00 JST


def test_hours_read_in_words_and_no_hours_means_around_the_clock() -> None:
    assert ISP.hotline is not None
    assert hours_text(ISP.hotline) == "mon,tue,wed,thu,fri,sat 07:00-22:00 (Europe/London)"
    always = Hotline(number="+44 20 7946 0001")
    assert hours_text(always) == "around the clock"
    assert is_open(always, datetime(2026, 12, 25, 3, 0, tzinfo=UTC))


# API presets


def test_servicenow_posts_to_its_table_with_our_key_as_correlation_id() -> None:
    request = opening_request(_api(preset="servicenow", table="u_vendor_case"), CONTEXT)
    assert (request.method, request.url) == (
        "POST",
        "https://vendor.example/api/now/table/u_vendor_case",
    )
    assert request.body["correlation_id"] == KEY
    assert request.body["short_description"] == "[TKT-1042] Sign-ins failing for finance"
    assert (request.body["urgency"], request.body["impact"]) == ("1", "1")
    assert request.body["description"] == vendor_email(CONTEXT).body
    assert request.case_number_path == "result.number"


def test_zendesk_posts_a_ticket_with_our_key_as_external_id() -> None:
    request = opening_request(_api(preset="zendesk"), {**CONTEXT, "priority": "P4"})
    assert request.url == "https://vendor.example/api/v2/tickets.json"
    ticket = request.body["ticket"]
    assert (ticket["external_id"], ticket["priority"], ticket["tags"]) == (
        KEY,
        "low",
        ["escalator"],
    )
    assert "Tenant ID: 9b1c7e52-acme-tenant" in ticket["comment"]["body"]
    assert request.case_number_path == "ticket.id"


def test_a_webhook_posts_the_case_as_json_to_the_url_as_given() -> None:
    request = opening_request(_api(url="https://hooks.example/cases/"), CONTEXT)
    assert (request.method, request.url) == ("POST", "https://hooks.example/cases/")
    assert request.body["case_key"] == KEY
    assert request.body["client"] == {"id": "acme", "name": "ACME Manufacturing"}
    assert request.body["fields"]["affected_users"] == "14"
    assert request.case_number_path == "case_number"


def test_every_part_of_a_preset_can_be_overridden() -> None:
    api = _api(
        preset="servicenow",
        method="PUT",
        path="/v2/cases",
        body={"ref": "{{ key }}", "who": "{{ client.name }}"},
        case_number_path="data.case.ref",
    )
    request = opening_request(api, CONTEXT)
    assert (request.method, request.url) == ("PUT", "https://vendor.example/v2/cases")
    assert request.body == {"ref": KEY, "who": "ACME Manufacturing"}
    assert request.case_number_path == "data.case.ref"


def test_lookups_search_by_our_key_where_the_api_can() -> None:
    assert lookup_request(_api(preset="servicenow"), KEY) == (
        "https://vendor.example/api/now/table/incident",
        {"sysparm_query": f"correlation_id={KEY}", "sysparm_limit": "1"},
        "result.0.number",
    )
    assert lookup_request(_api(preset="zendesk"), KEY) == (
        "https://vendor.example/api/v2/tickets.json",
        {"external_id": KEY},
        "tickets.0.id",
    )
    assert lookup_request(_api(preset="webhook"), KEY) is None


def test_status_updates_take_the_preset_overridden_field_by_field() -> None:
    updates = status_updates(
        _api(preset="zendesk", updates={"status_path": "detail.state", "resolved": ["done"]})
    )
    assert updates.case_number_path == "ticket.id"
    assert updates.status_path == "detail.state"
    assert updates.acknowledged == ["open", "pending", "hold"]
    assert updates.resolved == ["done"]


@pytest.mark.parametrize(
    ("path", "found"),
    [
        ("result.0.number", "INC0010001"),
        ("result.1.number", None),  # past the end
        ("result.-1.number", None),
        ("result.first.number", None),  # a list takes indices only
        ("result.0.number.value", None),  # through a string
        ("meta.count", 0),  # a falsy value is still a value
        ("meta.missing", None),
    ],
)
def test_find_path_walks_dicts_and_list_indices(path: str, found: object) -> None:
    document = {"result": [{"number": "INC0010001"}], "meta": {"count": 0}}
    assert find_path(document, path) == found


def test_durations_in_the_api_entry_parse_from_text() -> None:
    assert _api(timeout="1s").timeout == timedelta(seconds=1)
    assert _api().timeout == timedelta(seconds=10)


def test_a_priority_the_commitment_does_not_list_reads_as_its_least_urgent_one() -> None:
    # FibreNet commits for P1 (30m) and P2 (1h) only; its P3 clock runs on the P2 target.
    p3 = {**CONTEXT, "priority": "P3"}
    body = client_update(p3, ISP, "FN-5521").body
    assert "committed response for this priority is 1 hour." in body
