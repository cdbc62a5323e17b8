"""Tracking a vendor case: its number read from the vendor's replies, the directory's rules for
case number patterns, escalation ladders and polling, and the status requests and words of the
API presets."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from escalator_shared.config.vendor_api import VendorApi, VendorPolling, VendorStatusUpdates
from escalator_shared.config.vendors import Vendor
from escalator_vendor_gateway.channels.api_presets import (
    status_meaning,
    status_request,
    status_updates,
)
from escalator_vendor_gateway.domain.case_plan import CaseStatus
from escalator_vendor_gateway.domain.reply_reading import (
    DEFAULT_CASE_NUMBER_PATTERN,
    case_number_in,
)

CASE_KEY = "VC-1A2B3C4D5E6F7788"
TICKET_REFERENCE = "TKT-1042"
# What the gateway passes as ours: the case key, the ticket id, the ticket's reference.
OURS = (CASE_KEY, "t-1", TICKET_REFERENCE)
VORGANG = r"Vorgang\s+(\d+)"


def _api(**fields: Any) -> VendorApi:
    return VendorApi.model_validate({"url": "https://vendor.example/", **fields})


def _vendor(**fields: Any) -> Vendor:
    return Vendor.model_validate({"id": "contoso", "name": "Contoso", **fields})


def _rejection(model: type[BaseModel], data: dict[str, Any]) -> tuple[tuple[int | str, ...], str]:
    """Where the single validation error is, and what it says."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    (error,) = caught.value.errors()
    return error["loc"], error["msg"]


def _level(name: str, after: str) -> dict[str, str]:
    return {"name": name, "after": after, "contact": f"{name.replace(' ', '.')}@vendor.example"}


# The vendor's case number in its reply


@pytest.mark.parametrize(
    ("text", "number"),
    [
        (
            "Case 2511230040001234 is with our Exchange team; next update in 2 hours.",
            "2511230040001234",
        ),
        ("RE: [TKT-1042] Exchange down [Case #: 00123456]", "00123456"),
        ("Your Service Request SR 3-1234567 has been created", "3-1234567"),
        ("Incident INC0012345 has been opened", "INC0012345"),
        ("Case number: 12345-AB.", "12345-AB"),
        ("Ticket No. 98765432 received", "98765432"),
        ("Your request ID: REQ-55512 is logged", "REQ-55512"),
    ],
)
def test_the_vendor_case_number_is_read_from_a_realistic_reply(text: str, number: str) -> None:
    assert case_number_in([text], OURS) == number


@pytest.mark.parametrize(
    "text",
    [
        "next update in 2 hours",
        "Ticket is 12345678",  # a word between the keyword and the number
        "We are looking into your case.",
        "Case 123 opened",  # too short to be a case number
        "",
    ],
)
def test_a_reply_without_a_case_number_yields_none(text: str) -> None:
    assert case_number_in([text], OURS) is None


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("Re: Ticket TKT-1042", TICKET_REFERENCE),
        ("re: ticket tkt-1042", "tkt-1042"),
        ("RE: Case VC-1A2B3C4D5E6F7788", CASE_KEY),
        ("case vc-1a2b3c4d5e6f7788 received", "vc-1a2b3c4d5e6f7788"),
        ("RE: [TKT-1042] ACME: Sign-ins failing (P2) - case VC-1A2B3C4D5E6F7788", CASE_KEY),
    ],
)
def test_our_own_references_are_never_taken_for_the_vendor_case_number(
    text: str, reference: str
) -> None:
    assert case_number_in([text], []) == reference  # it would be read, were it not ours
    assert case_number_in([text], OURS) is None


def test_our_reference_quoted_first_does_not_hide_the_vendor_number_after_it() -> None:
    text = "RE: Ticket TKT-1042 - Case 00123456 opened"
    assert case_number_in([text], OURS) == "00123456"


def test_empty_references_of_ours_exclude_nothing() -> None:
    assert case_number_in(["Case 00123456"], ["", "", "00000000"]) == "00123456"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Case AB-1234", "AB-1234"),  # four digits: enough
        ("Case AB-123X", None),  # three: not a case number
        ("Case ABC-12XYZ", None),
        ("Case ABC-12XYZ, incident INC0012345", "INC0012345"),  # the next candidate is read
    ],
)
def test_a_case_number_needs_at_least_four_digits(text: str, number: str | None) -> None:
    assert re.search(DEFAULT_CASE_NUMBER_PATTERN, text) is not None  # the pattern alone matches
    assert case_number_in([text], OURS) == number


def test_the_subject_wins_over_the_excerpt() -> None:
    subject, excerpt = "RE: Case 11112222", "Incident INC0012345 has been opened"
    assert case_number_in([subject, excerpt], OURS) == "11112222"
    assert case_number_in([excerpt, subject], OURS) == "INC0012345"


def test_the_excerpt_is_read_when_the_subject_has_no_number() -> None:
    texts = ["RE: [TKT-1042] Exchange down", "Incident INC0012345 has been opened"]
    assert case_number_in(texts, OURS) == "INC0012345"


def test_within_one_text_the_first_case_number_wins() -> None:
    text = "Case 11112222 replaces case 33334444"
    assert case_number_in([text], OURS) == "11112222"


def test_a_vendor_pattern_is_used_instead_of_the_default() -> None:
    text = "Ihr Vorgang 98765432 wurde angelegt (Case 11112222)"
    assert case_number_in([text], OURS) == "11112222"
    assert case_number_in([text], OURS, VORGANG) == "98765432"
    assert case_number_in(["Case 11112222 opened"], OURS, VORGANG) is None  # no fallback


def test_a_vendor_pattern_still_skips_our_references_and_short_numbers() -> None:
    assert case_number_in(["Vorgang 123"], OURS, VORGANG) is None
    assert case_number_in(["Vorgang 98765432"], ["98765432"], VORGANG) is None
    assert case_number_in(["Vorgang 98765432, Vorgang 55556666"], ["98765432"], VORGANG) == (
        "55556666"
    )


def test_a_pattern_the_directory_accepts_reads_a_reply_without_crashing() -> None:
    pattern = r"Vorgang(?:\s+Nr\.\s*(\d+))?"
    assert _vendor(case_number_pattern=pattern).case_number_pattern == pattern
    assert case_number_in(["Vorgang Nr. 98765432"], OURS, pattern) == "98765432"
    assert case_number_in(["Ihr Vorgang wurde angelegt"], OURS, pattern) is None


def test_a_host_name_starting_with_a_keyword_is_not_a_case_number() -> None:
    text = "We restarted the connector on SRV01234; see Case 00123456"
    assert case_number_in([text], OURS) == "00123456"


# Directory rules: case number pattern, escalation ladder


def test_the_default_case_number_pattern_is_itself_a_valid_vendor_pattern() -> None:
    vendor = _vendor(case_number_pattern=DEFAULT_CASE_NUMBER_PATTERN)
    assert vendor.case_number_pattern == DEFAULT_CASE_NUMBER_PATTERN


@pytest.mark.parametrize(
    "pattern",
    [VORGANG, r"(?:Case|Vorgang)\s*#?\s*(\d+)", r"(?P<number>SR\d{6,})", None],
)
def test_a_case_number_pattern_with_one_group_is_accepted(pattern: str | None) -> None:
    assert _vendor(case_number_pattern=pattern).case_number_pattern == pattern


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("Vorgang (", "not a regular expression"),
        (r"Vorgang\s+\d+", "needs exactly one group (the case number), has 0"),
        (r"(Vorgang|Case)\s+(\d+)", "needs exactly one group (the case number), has 2"),
    ],
)
def test_a_case_number_pattern_must_compile_and_have_exactly_one_group(
    pattern: str, problem: str
) -> None:
    where, message = _rejection(
        Vendor, {"id": "contoso", "name": "Contoso", "case_number_pattern": pattern}
    )
    assert where == ("case_number_pattern",)
    assert problem in message


def test_an_escalation_ladder_in_increasing_order_is_accepted() -> None:
    vendor = _vendor(
        escalation_levels=[_level("duty manager", "4h"), _level("account manager", "1d")]
    )
    assert [level.after for level in vendor.escalation_levels] == [
        timedelta(hours=4),
        timedelta(days=1),
    ]


@pytest.mark.parametrize(
    "waits",
    [
        ["1d", "4h"],  # backwards
        ["4h", "4h"],  # two at once
        ["1h", "60m"],  # the same wait, written differently
        ["1h", "4h", "2h"],  # out of order further up
    ],
)
def test_an_escalation_ladder_must_rise_strictly_by_after(waits: list[str]) -> None:
    levels = [_level(f"level {n}", after) for n, after in enumerate(waits, start=1)]
    where, message = _rejection(
        Vendor, {"id": "contoso", "name": "Contoso", "escalation_levels": levels}
    )
    assert where == ("escalation_levels",)
    assert "levels must come in order of `after`" in message


# Directory rules: polling


def test_polling_defaults_to_every_fifteen_minutes_with_the_preset_path() -> None:
    poll = VendorPolling()
    assert (poll.every, poll.path, poll.status_path) == (timedelta(minutes=15), None, None)
    assert _api().poll is None  # no poll entry: never asked


def test_a_poll_entry_reads_its_interval_path_and_status_path() -> None:
    api = _api(poll={"every": "5m", "path": "/cases/{case_number}", "status_path": "case.state"})
    assert api.poll == VendorPolling(
        every=timedelta(minutes=5), path="/cases/{case_number}", status_path="case.state"
    )


@pytest.mark.parametrize(
    ("poll", "where", "problem"),
    [
        ({"path": "/cases/status"}, ("poll", "path"), "must contain {case_number}"),
        ({"path": "/cases/{number}"}, ("poll", "path"), "must contain {case_number}"),
        ({"path": "cases/{case_number}"}, ("poll", "path"), "must start with /"),
        ({"every": "0"}, ("poll", "every"), "a duration must be positive"),
        ({"every": "soon"}, ("poll", "every"), "expected a duration"),
        ({"interval": "5m"}, ("poll", "interval"), "Extra inputs are not permitted"),
    ],
)
def test_a_poll_entry_names_what_is_wrong_with_it(
    poll: dict[str, str], where: tuple[str, ...], problem: str
) -> None:
    found, message = _rejection(VendorApi, {"url": "https://vendor.example", "poll": poll})
    assert found == where
    assert problem in message


# Status requests


@pytest.mark.parametrize(
    ("fields", "number", "url", "query", "status_path"),
    [
        (
            {"preset": "servicenow"},
            "INC0012345",
            "https://vendor.example/api/now/table/incident",
            {"sysparm_query": "number=INC0012345", "sysparm_limit": "1"},
            "result.0.state",
        ),
        (
            {"preset": "servicenow", "table": "sn_customerservice_case"},
            "CS0001234",
            "https://vendor.example/api/now/table/sn_customerservice_case",
            {"sysparm_query": "number=CS0001234", "sysparm_limit": "1"},
            "result.0.state",
        ),
        (
            {"preset": "zendesk"},
            "4711",
            "https://vendor.example/api/v2/tickets/4711.json",
            {},
            "ticket.status",
        ),
        (
            {"preset": "webhook", "url": "https://hooks.vendor.example/cases/"},
            "CS-0042",
            "https://hooks.vendor.example/cases/CS-0042",
            {},
            "status",
        ),
    ],
)
def test_each_preset_asks_for_a_case_status_by_the_vendor_number(
    fields: dict[str, str], number: str, url: str, query: dict[str, str], status_path: str
) -> None:
    assert status_request(_api(**fields), number) == (url, query, status_path)


@pytest.mark.parametrize(
    ("preset", "number", "url"),
    [
        ("zendesk", "12/34", "https://vendor.example/api/v2/tickets/12%2F34.json"),
        ("webhook", "CS 0042/7", "https://vendor.example/CS%200042%2F7"),
        ("webhook", "A?b=1#x", "https://vendor.example/A%3Fb%3D1%23x"),
    ],
)
def test_the_case_number_is_one_path_segment_in_the_preset_path(
    preset: str, number: str, url: str
) -> None:
    assert status_request(_api(preset=preset), number)[0] == url


@pytest.mark.parametrize("preset", ["servicenow", "zendesk", "webhook"])
def test_a_poll_path_replaces_the_preset_path_and_query(preset: str) -> None:
    api = _api(preset=preset, poll={"path": "/api/cases/{case_number}/status"})
    url, query, _status_path = status_request(api, "CS 0042/7")
    assert url == "https://vendor.example/api/cases/CS%200042%2F7/status"
    assert query == {}


@pytest.mark.parametrize(
    ("preset", "status_path"),
    [("servicenow", "result.0.state"), ("zendesk", "ticket.status"), ("webhook", "status")],
)
def test_a_poll_path_alone_keeps_the_preset_status_path(preset: str, status_path: str) -> None:
    api = _api(preset=preset, poll={"path": "/cases/{case_number}"})
    assert status_request(api, "4711")[2] == status_path


def test_a_poll_status_path_alone_keeps_the_preset_path_and_query() -> None:
    api = _api(preset="servicenow", poll={"status_path": "result.0.u_vendor_state"})
    assert status_request(api, "INC0012345") == (
        "https://vendor.example/api/now/table/incident",
        {"sysparm_query": "number=INC0012345", "sysparm_limit": "1"},
        "result.0.u_vendor_state",
    )


def test_a_poll_path_and_status_path_together_replace_the_preset() -> None:
    api = _api(
        preset="zendesk",
        poll={"path": "/v3/cases/{case_number}?fields=state", "status_path": "data.state"},
    )
    assert status_request(api, "4711") == (
        "https://vendor.example/v3/cases/4711?fields=state",
        {},
        "data.state",
    )


# Status words


@pytest.mark.parametrize(
    ("preset", "status", "meaning"),
    [
        ("servicenow", "6", CaseStatus.RESOLVED),
        ("servicenow", "7", CaseStatus.RESOLVED),
        ("servicenow", "Closed", CaseStatus.RESOLVED),
        ("servicenow", "2", CaseStatus.ACKNOWLEDGED),
        ("servicenow", "in progress", CaseStatus.ACKNOWLEDGED),
        ("servicenow", "1", None),  # New
        ("zendesk", "SOLVED", CaseStatus.RESOLVED),
        ("zendesk", "pending", CaseStatus.ACKNOWLEDGED),
        ("zendesk", "Hold", CaseStatus.ACKNOWLEDGED),
        ("zendesk", "new", None),
        ("webhook", "Resolved", CaseStatus.RESOLVED),
        ("webhook", "IN_PROGRESS", CaseStatus.ACKNOWLEDGED),
        ("webhook", "waiting on customer", None),
    ],
)
def test_preset_status_words_mean_resolved_acknowledged_or_nothing_in_any_case(
    preset: str, status: str, meaning: CaseStatus | None
) -> None:
    assert status_meaning(status_updates(_api(preset=preset)), status) == meaning


def test_a_word_both_resolved_and_acknowledged_means_resolved() -> None:
    updates = VendorStatusUpdates(acknowledged=["Closed", "open"], resolved=["closed"])
    assert status_meaning(updates, "CLOSED") == CaseStatus.RESOLVED
    assert status_meaning(updates, "Open") == CaseStatus.ACKNOWLEDGED


def test_overridden_status_words_replace_the_preset_list_they_name_only() -> None:
    api = _api(preset="zendesk", updates={"resolved": ["Done", "Cancelled"]})
    updates = status_updates(api)
    assert updates.acknowledged == ["open", "pending", "hold"]  # still the preset's
    assert status_meaning(updates, "done") == CaseStatus.RESOLVED
    assert status_meaning(updates, "CANCELLED") == CaseStatus.RESOLVED
    assert status_meaning(updates, "solved") is None  # the preset's word no longer counts
    assert status_meaning(updates, "open") == CaseStatus.ACKNOWLEDGED


def test_overridden_acknowledged_words_keep_the_preset_resolved_words() -> None:
    api = _api(preset="servicenow", updates={"acknowledged": ["Work in Progress"]})
    updates = status_updates(api)
    assert status_meaning(updates, "work in progress") == CaseStatus.ACKNOWLEDGED
    assert status_meaning(updates, "2") is None
    assert status_meaning(updates, "6") == CaseStatus.RESOLVED
    assert (updates.case_number_path, updates.status_path) == ("number", "state")
