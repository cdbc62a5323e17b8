"""What messages say: the built-in templates of every kind, operator overrides, the HTML part."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.exceptions import SecurityError

from escalator_notifier.domain.content import Content, TemplateBook
from escalator_notifier.domain.notice_context import Clock, TicketView, ticket_context, when

NOW = datetime(2026, 1, 14, 10, 0, tzinfo=UTC)
TICKET = TicketView(
    ticket_id="0f3c9a1e-5d2b-4c1e-9f00-1234567890ab",
    client_id="acme",
    client_name="ACME Manufacturing",
    title="Mail server down",
    priority="P1",
    reference="INC-1042",
    tier="L2",
    assignee="bob",
    assignee_name="Bob Okafor",
    clocks=(Clock("response", "running", NOW + timedelta(minutes=12), None),),
)
BOOK = TemplateBook()
STEP = {
    "policy": "standard",
    "number": 2,
    "name": "L2 on call",
    "round": 1,
    "next_escalation_at": when(NOW + timedelta(minutes=30)),
}
LINKS = {"acknowledge": "https://esc.example/a/1", "resolve": "https://esc.example/r/1"}
VARIABLES: dict[str, dict[str, Any]] = {
    "assigned": {"step": STEP, "reason": "routed"},
    "escalated": {
        "step": STEP,
        "reason": "flapping",
        "event": {"detail": "flapping: reopened 3 times in the last 30 minutes"},
    },
    "paged": {"reason": "unhappy customer", "event": {"detail": "third complaint"}},
    "sla_warning": {
        "event": {"metric": "response", "percent": 75},
        "due_at": "2026-01-14 10:12 UTC",
    },
    "sla_breached": {
        "event": {"metric": "response", "policy": "standard", "target_seconds": 3600},
        "due_at": "2026-01-14 10:00 UTC",
        "breached_at": "2026-01-14 10:01 UTC",
    },
    "vendor_update": {
        "event": {"vendor": "microsoft", "case_reference": "MS-123"},
        "vendor_status": "acknowledged by the vendor",
    },
    "message": {"event": {"subject": "Vendor asked for logs", "body": "Please send the logs.\n"}},
    "customer_received": {"expected": {"response": "1 hour", "resolution": "8 hours"}},
    "customer_escalated": {"escalated_to": "Technical specialists", "expected": {}},
    "customer_resolved": {"event": {"resolution": "Restarted the mail service."}},
    "bundle": {"count": 5, "channel": "sms", "clients": "ACME: 5", "items": [{"subject": "A"}]},
    "digest": {
        "count": 1,
        "every": "daily",
        "clients": "ACME: 1",
        "items": [{"subject": "Printer jam", "at": "2026-01-14 09:00 UTC"}],
    },
}
# For each kind: words the subject, the summary and the text must hold.
EXPECTED: dict[str, tuple[str, str, str]] = {
    "assigned": (
        "[P1] Assigned to you: Mail server down [INC-1042]",
        "P1 ACME Manufacturing: Mail server down is yours. Ack: https://esc.example/a/1",
        "If nobody acknowledges it by 2026-01-14 10:30 UTC, it escalates further.",
    ),
    "escalated": (
        "[P1] Escalated to you (flapping): Mail server down [INC-1042]",
        "ESCALATED (flapping)",
        "escalated to step 2 (L2 on call) because: flapping "
        "(flapping: reopened 3 times in the last 30 minutes).",
    ),
    "paged": (
        "[P1] Your attention (unhappy customer): Mail server down [INC-1042]",
        "P1 ACME Manufacturing needs you (unhappy customer): Mail server down",
        "because: unhappy customer (third complaint).",
    ),
    "sla_warning": (
        "[P1] SLA warning (response 75 % used): Mail server down [INC-1042]",
        "response SLA 75 % used, due 2026-01-14 10:12 UTC",
        "has used 75 % of its response target.",
    ),
    "sla_breached": (
        "[P1] SLA BREACHED (response): Mail server down [INC-1042]",
        "P1 ACME Manufacturing: response SLA BREACHED: Mail server down",
        "Policy: standard (target 60.0 min)\nDue at: 2026-01-14 10:00 UTC\n"
        "Breached at: 2026-01-14 10:01 UTC",
    ),
    "vendor_update": (
        "[P1] Vendor microsoft: case MS-123 acknowledged by the vendor [INC-1042]",
        "Vendor microsoft: case MS-123 acknowledged by the vendor",
        "the microsoft case MS-123 is acknowledged by the vendor.",
    ),
    "message": ("Vendor asked for logs", "Vendor asked for logs", "Please send the logs."),
    "customer_received": (
        "Re: Mail server down [INC-1042]",
        "We received your request INC-1042.",
        "You can expect a first response within 1 hour, and a resolution target of 8 hours.",
    ),
    "customer_escalated": (
        "Re: Mail server down [INC-1042]",
        "Your request INC-1042 was escalated.",
        "has been escalated to Technical specialists",
    ),
    "customer_resolved": (
        "Re: Mail server down [INC-1042]",
        "Your request INC-1042 is resolved.",
        "What we did: Restarted the mail service.",
    ),
    "bundle": (
        "5 more notifications (ACME: 5)",
        "5 more notifications (ACME: 5)",
        "- A\n- ... and 4 more",
    ),
    "digest": (
        "Your daily digest: 1 low-priority notification",
        "Your daily digest: 1 low-priority notification",
        "- 2026-01-14 09:00 UTC Printer jam",
    ),
}


def render(kind: str, channel: str = "email", book: TemplateBook = BOOK, **extra: Any) -> Content:
    context = ticket_context(TICKET, NOW) | {"links": LINKS, "msp_name": "Example MSP"}
    return book.render(kind, channel, context | VARIABLES[kind] | extra)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_every_kind_renders_its_subject_summary_and_text(kind: str) -> None:
    content = render(kind)
    subject, summary, text = EXPECTED[kind]
    assert content.subject == subject
    assert summary in content.summary
    assert text in content.text


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_subjects_and_summaries_are_one_tidy_line_and_text_ends_in_one_newline(kind: str) -> None:
    content = render(kind, "sms")
    for line in (content.subject, content.summary):
        assert "\n" not in line
        assert "  " not in line
        assert line == line.strip()
        assert line
    assert content.text.endswith("\n")
    assert not content.text.endswith("\n\n")
    assert "\n\n\n" not in content.text
    assert all(line == line.rstrip() for line in content.text.splitlines())


def test_staff_notices_list_the_sla_clocks() -> None:
    assert "SLA response: 12 min left (due 2026-01-14 10:12 UTC)" in render("assigned").text


def test_a_ticket_without_reference_has_no_empty_tag_and_is_named_by_its_id() -> None:
    bare = TicketView(
        ticket_id="0f3c9a1e-5d2b", client_id="c", client_name="C", title="T", priority="P3"
    )
    content = BOOK.render(
        "assigned", "email", ticket_context(bare, NOW) | {"step": STEP, "links": {}}
    )
    assert content.subject == "[P3] Assigned to you: T"
    assert content.summary == "P3 C: T is yours."
    assert content.text.startswith("Ticket 0f3c9a1e for C is assigned to you.")


def test_a_breach_reminder_says_which_reminder_it_is() -> None:
    content = render(
        "sla_breached",
        event={"metric": "resolution", "reminder": 2},
        breached_at=None,
        overdue="2 h 5 min",
    )
    assert "resolution SLA BREACHED (reminder 2)" in content.summary
    assert "and is still open, 2 h 5 min past its target (reminder 2)" in content.text
    assert "Policy:" not in content.text
    assert "Breached at:" not in content.text


@pytest.mark.parametrize(
    ("count", "noun"), [(0, "notifications"), (1, "notification"), (2, "notifications")]
)
def test_the_digest_subject_counts_in_words(count: int, noun: str) -> None:
    assert render("digest", count=count, items=[]).subject.endswith(f"{count} low-priority {noun}")


def test_customer_updates_are_signed_and_skip_unknown_targets() -> None:
    content = render("customer_received", expected={})
    assert content.text.endswith("Example MSP\n")
    assert "expect" not in content.text
    assert "keep [INC-1042] in the subject" in content.text


# --- operator overrides ---------------------------------------------------------------------------

SMS_ONLY = '{% extends "_base.j2" %}{% block subject %}SMS {{ ticket.label }}{% endblock %}'
ANY_CHANNEL = '{% extends "_base.j2" %}{% block subject %}Ops {{ ticket.label }}{% endblock %}'


def test_an_operator_template_for_the_channel_wins_over_the_kind_template(tmp_path: Path) -> None:
    (tmp_path / "assigned.sms.j2").write_text(SMS_ONLY)
    (tmp_path / "assigned.j2").write_text(ANY_CHANNEL)
    book = TemplateBook(tmp_path)
    assert render("assigned", "sms", book).subject == "SMS INC-1042"
    assert render("assigned", "email", book).subject == "Ops INC-1042"


def test_an_operator_kind_template_wins_over_the_built_in_one(tmp_path: Path) -> None:
    (tmp_path / "paged.j2").write_text(ANY_CHANNEL)
    book = TemplateBook(tmp_path)
    content = render("paged", "slack", book)
    assert (content.subject, content.summary, content.text) == (
        "Ops INC-1042",
        "Ops INC-1042",
        "\n",
    )
    assert render("escalated", "slack", book).subject == EXPECTED["escalated"][0]  # untouched


def test_a_channel_template_applies_only_to_its_channel_over_built_ins(tmp_path: Path) -> None:
    (tmp_path / "sla_warning.teams.j2").write_text(SMS_ONLY)
    book = TemplateBook(tmp_path)
    assert render("sla_warning", "teams", book).subject == "SMS INC-1042"
    assert render("sla_warning", "email", book).subject == EXPECTED["sla_warning"][0]


def test_a_template_not_extending_the_base_is_refused(tmp_path: Path) -> None:
    (tmp_path / "assigned.j2").write_text("Just text {{ ticket.title }}")
    with pytest.raises(ValueError, match=r"assigned\.j2 must extend _base\.j2"):
        render("assigned", "email", TemplateBook(tmp_path))


def test_an_unknown_kind_has_no_template() -> None:
    with pytest.raises(jinja2.TemplatesNotFound):
        BOOK.render("nonsense", "email", {})


def test_operator_templates_run_in_a_sandbox(tmp_path: Path) -> None:
    (tmp_path / "message.j2").write_text(
        '{% extends "_base.j2" %}{% block subject %}{{ ticket.__class__.__mro__ }}{% endblock %}'
    )
    with pytest.raises(SecurityError):
        render("message", "email", TemplateBook(tmp_path))


# --- HTML -----------------------------------------------------------------------------------------


def test_the_html_part_escapes_text_and_keeps_paragraphs_and_lines() -> None:
    html = BOOK.html("Disk <full>", "One\ntwo\n\nThree <b>bold</b>\n", {})
    assert "Disk &lt;full&gt;" in html
    assert "<p>One<br>two</p>" in html
    assert "<p>Three &lt;b&gt;bold&lt;/b&gt;</p>" in html
    assert "<a " not in html


def test_the_html_part_shows_links_as_buttons() -> None:
    html = BOOK.html(
        "S", "T\n", {"acknowledge": "https://e.example/a?x=1&y=2", "resolve": "https://e.example/r"}
    )
    assert 'href="https://e.example/a?x=1&amp;y=2"' in html
    assert html.index(">Acknowledge</a>") < html.index(">Resolve</a>")
