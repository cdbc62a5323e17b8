"""The console in a real browser (Debian's Chromium): signing in, the live queue, the ticket
page and its actions, a scoped technician's view, on call, escalation paths, explain, and the
landing page of one-click links; on a desktop and on a phone."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from escalator_intake.ticket_queries import QUEUE_COLUMNS
from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    chromium,
    console_process,
    overflows_sideways,
    sign_in,
    unlabelled_fields,
)
from tests.e2e.conftest import RunningSystem
from tests.harness.processes import ServiceProcess, free_port
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e
CONSOLE_PORT = free_port()
CONSOLE = f"http://127.0.0.1:{CONSOLE_PORT}"
REFRESH_SECONDS = 2.0
GLOBEX_INTEGRATION = "globex-monitoring"


@pytest.fixture(scope="module")
def service_env_overrides() -> dict[str, str]:
    """One-click links minted by intake land on this module's console."""
    return {"ESCALATOR_CONSOLE_URL": CONSOLE}


@pytest.fixture(scope="module")
def console(system: RunningSystem, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The console process beside the module's system; its base URL."""
    process: ServiceProcess = console_process(
        system.services, tmp_path_factory.mktemp("console"), CONSOLE_PORT, REFRESH_SECONDS
    )
    process.start()
    try:
        process.wait_ready()
        yield CONSOLE
    finally:
        process.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the module."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, console: str) -> Iterator[Page]:
    """A fresh browser context (no cookies) with a desktop viewport."""
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    opened = context.new_page()
    yield opened
    context.close()


def _title() -> str:
    return f"Console check {uuid.uuid4().hex[:8]}"


def _post_globex(system: RunningSystem, title: str) -> str:
    with system.intake as client:
        response = client.post(
            f"/v1/webhooks/{GLOBEX_INTEGRATION}",
            json={"title": title, "severity": "warning"},
            headers={"Authorization": f"Bearer dev-token-{GLOBEX_INTEGRATION}"},
        )
    assert response.status_code == 202, response.text
    ticket_id: str = response.json()["ticket_id"]
    return ticket_id


def test_the_queue_asks_to_sign_in_and_refuses_a_wrong_password(page: Page, console: str) -> None:
    page.goto(f"{console}/queue")
    expect(page).to_have_url(f"{console}/sign-in?next=/queue")
    page.fill("#email", "alice@msp.example")
    page.fill("#password", "not-her-password")
    page.click("form[action='/sign-in'] button[type=submit]")
    expect(page.get_by_role("alert")).to_have_text("Wrong email address or password.")
    assert unlabelled_fields(page) == []


def test_a_new_alert_appears_in_the_open_queue_within_5_seconds(
    page: Page, console: str, system: RunningSystem
) -> None:
    sign_in(page, console, "alice", "/queue?scope=all")
    page.evaluate("() => { window.__notReloaded = true; }")
    title = _title()
    posted_at = time.monotonic()
    system.post_alert({"title": title, "severity": "major"})
    row = page.locator("#queue-rows tr", has_text=title)
    expect(row).to_be_visible(timeout=5_000)
    seen_after = time.monotonic() - posted_at
    assert seen_after < 5.0
    assert page.evaluate("() => window.__notReloaded === true"), "the page was reloaded"
    # Viewing the queue kept the session alive (intake's POST /v1/session/refresh answered).
    assert "escalator_refreshed" in {c["name"] for c in page.context.cookies()}
    # The row carries what a technician decides on: reference, client, priority, tier, ring.
    expect(row).to_contain_text("TKT-")
    expect(row).to_contain_text("ACME Manufacturing")
    expect(row).to_contain_text("P2")
    expect(row.locator(".ring")).to_have_attribute("aria-label", _label_pattern("response"))
    assert unlabelled_fields(page) == []
    # The live refresh says where its time went: each backend call and the rendering.
    timing = page.request.get(f"{console}/queue/rows?scope=all").headers["server-timing"]
    assert re.match(r"app;dur=[0-9.]+, ", timing), timing
    for part in ('intake;desc="GET /v1/tickets"', 'sla-timer;desc="GET /v1/clocks"'):
        assert part in timing, timing
    assert re.search(r'render;desc="queue_rows.html";dur=[0-9.]+', timing), timing


def test_acknowledging_from_the_ticket_page_stops_the_response_clock(
    page: Page, console: str, system: RunningSystem
) -> None:
    title = _title()
    ticket_id = system.post_alert({"title": title, "severity": "warning"})  # P4: 8 s response
    system.wait_for_ticket(ticket_id, until="SlaClockStarted")
    sign_in(page, console, "alice", "/queue?scope=all")
    page.locator("#queue-rows a", has_text=title).click()
    expect(page).to_have_url(f"{console}/tickets/{ticket_id}")
    response_row = page.locator("table.clocks tr", has_text="response")
    expect(response_row).to_contain_text("running")
    expect(page.locator(".ticket-head .ring")).to_have_attribute(
        "aria-label", _label_pattern("response")
    )
    page.keyboard.press("a")  # the keyboard shortcut
    expect(page.get_by_role("status")).to_have_text("Acknowledged.")
    expect(page.locator(".ticket-head")).to_contain_text("acknowledged by Alice Nguyen")
    # The SLA timer stops the response clock; the page's live part shows it without a reload.
    expect(response_row).to_contain_text("fulfilled", timeout=10_000)
    expect(page.locator(".ticket-head .ring")).to_have_attribute(
        "aria-label", _label_pattern("resolution")
    )
    expect(page.locator("ol.timeline")).to_contain_text("Acknowledged by alice")
    assert system.ticket(ticket_id) is not None
    ticket = system.ticket(ticket_id)
    assert ticket is not None
    assert ticket["acknowledged_by"] == "alice"


def test_notes_and_holds_from_the_ticket_page(
    page: Page, console: str, system: RunningSystem
) -> None:
    ticket_id = system.post_alert({"title": _title(), "severity": "warning"})
    system.wait_for_ticket(ticket_id, until="TicketRouted")
    sign_in(page, console, "alice", f"/tickets/{ticket_id}")
    page.fill("#note_text", "Checked the disk; vendor next")
    page.click("form.note button[type=submit]")
    expect(page.get_by_role("status")).to_have_text("Note added.")
    expect(page.locator("ol.timeline")).to_contain_text("Checked the disk", timeout=10_000)
    page.select_option("#hold_reason", "awaiting_customer")
    page.get_by_role("button", name="Put on hold").click()
    expect(page.get_by_role("status")).to_have_text("Put on hold.")
    expect(page.locator("#ticket-status")).to_contain_text("on hold (awaiting customer)")
    expect(page.locator("table.clocks tr", has_text="response")).to_contain_text(
        "paused", timeout=10_000
    )
    # A refused action says why on the page (resolved twice).
    page.get_by_role("button", name="Resume work").click()
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_have_text("Resolved.")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()


def test_the_ticket_page_says_when_each_repeat_page_is_due(
    page: Page, console: str, system: RunningSystem
) -> None:
    ticket_id = system.post_alert({"title": _title(), "severity": "major"})  # P2: repeats
    system.wait_for_ticket(ticket_id, until="TicketRouted")
    sign_in(page, console, "alice", f"/tickets/{ticket_id}")
    rows = page.locator("#deliveries-h + .table-wrap tr")
    repeat, first_sent = rows.filter(has_text="repeat 1, due unless"), rows.filter(has_text="sent")
    for _ in range(20):  # the deliveries table is not live: reload until the notifier sent one
        if repeat.count() and first_sent.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(repeat.first).to_be_visible()
    expect(first_sent.first).to_be_visible()
    # A repeat is listed at the time it is due, five minutes after the first page went out.
    due = repeat.first.locator("time").get_attribute("title")
    sent = first_sent.first.locator("time").get_attribute("title")
    assert due is not None
    assert sent is not None
    assert due > sent


def test_a_scoped_technician_sees_only_their_clients(
    page: Page, console: str, system: RunningSystem
) -> None:
    acme_title, globex_title = _title(), _title()
    acme_id = system.post_alert({"title": acme_title, "severity": "major"})
    globex_id = _post_globex(system, globex_title)
    system.wait_for_ticket(acme_id, until="TicketRouted")
    system.wait_for_ticket(globex_id, until="TicketRouted")
    sign_in(page, console, "gina", "/queue?scope=all")
    rows = page.locator("#queue-rows")
    expect(rows).to_contain_text(globex_title)
    expect(rows).not_to_contain_text(acme_title)
    expect(rows).not_to_contain_text("ACME Manufacturing")
    clients = page.locator("select[name=client] option").all_inner_texts()
    assert clients == ["any", "Globex Legal"], clients
    page.goto(f"{console}/tickets/{acme_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")


def test_the_queue_and_ticket_page_work_on_a_phone(
    browser: Browser, console: str, system: RunningSystem
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    phone = context.new_page()
    try:
        title = _title()
        ticket_id = system.post_alert({"title": title, "severity": "critical"})
        system.wait_for_ticket(ticket_id, until="TicketRouted")
        sign_in(phone, console, "alice", "/queue?scope=all")
        expect(phone.locator("#queue-rows")).to_contain_text(title)
        assert not overflows_sideways(phone)
        phone.locator("#queue-rows a", has_text=title).click()
        expect(phone.get_by_role("button", name="Acknowledge")).to_be_visible()
        assert not overflows_sideways(phone)
    finally:
        context.close()


def test_on_call_shows_now_next_and_two_weeks(page: Page, console: str) -> None:
    sign_in(page, console, "alice", "/on-call")
    schedules = page.locator("section.schedule")
    expect(schedules.first).to_be_visible()
    assert schedules.count() >= 2
    first = schedules.first
    expect(first.locator(".now")).to_contain_text("Now:")
    expect(first.locator("svg.bars rect").first).to_be_attached()
    assert page.locator(".day-marks").first.locator("span").count() == 14
    expect(page.get_by_role("heading", name="Your upcoming shifts")).to_be_visible()


def test_escalation_paths_are_drawn_on_the_server(page: Page, console: str) -> None:
    sign_in(page, console, "alice", "/escalation/acme")
    image = page.locator("figure.diagram img")
    expect(image).to_be_visible()
    drawn = page.evaluate(
        "() => { const i = document.querySelector('figure.diagram img');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    assert drawn, "the diagram did not load as an image"
    svg = page.request.get(f"{console}/escalation/acme.svg")
    assert svg.status == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text()


def test_explain_shows_the_timeline_of_an_alert(page: Page, console: str) -> None:
    sign_in(page, console, "alice", "/explain")
    page.select_option("#client", "acme")
    page.fill("#title", "Exchange Online: mail flow delayed")
    page.select_option("#severity", "critical")
    page.fill("#labels", "service=exchange")
    page.get_by_role("button", name="Explain").click()
    answer = page.locator("section.answer")
    expect(answer).to_contain_text("What would happen")
    expect(answer.locator("ol.timeline li").first).to_contain_text("T+0s")
    expect(answer.locator("ol.rules li").first).to_be_visible()
    assert unlabelled_fields(page) == []


def test_a_one_click_link_shows_the_ticket_before_confirming(
    page: Page, console: str, system: RunningSystem
) -> None:
    title = _title()
    ticket_id = system.post_alert({"title": title, "severity": "major"})
    ticket = system.wait_for_ticket(ticket_id, until="SlaClockStarted")
    links = _links(system, ticket_id)
    assert links["acknowledge"].startswith(f"{console}/actions/")
    page.goto(links["acknowledge"])  # no session: the signed link is the authority
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Acknowledge {ticket['reference']}?")
    details = page.locator("dl.pairs")
    expect(details).to_contain_text(title)
    expect(details).to_contain_text("ACME Manufacturing")
    expect(details).to_contain_text("P2")
    expect(details).to_contain_text("response due")
    assert system.ticket(ticket_id)["acknowledged_by"] is None  # type: ignore[index]
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text("acknowledge recorded as Alice Nguyen")
    page.goto(links["acknowledge"])
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("alert")).to_contain_text("already acknowledged")


def _links(system: RunningSystem, ticket_id: str) -> dict[str, Any]:
    with httpx.Client(base_url=system.services["intake"].url, timeout=10) as client:

        def minted() -> dict[str, Any] | None:
            response = client.post(
                f"/v1/tickets/{ticket_id}/links",
                headers={"Authorization": "Bearer dev-staff-token-alice"},
            )
            return response.json() if response.status_code == 200 else None

        return eventually(minted, within=10, what="one-click links")


def _label_pattern(metric: str) -> re.Pattern[str]:
    return re.compile(rf"^{metric} SLA \d+% used")


def test_the_queue_listing_gives_only_queue_columns_and_bigger_pages(
    system: RunningSystem,
) -> None:
    ticket_id = system.post_alert({"title": _title(), "severity": "major"})
    system.wait_for_ticket(ticket_id, until="TicketRouted")
    headers = {"Authorization": "Bearer dev-staff-token-carol"}
    with system.intake as client:
        queue = client.get("/v1/tickets", params={"view": "queue", "limit": 2000}, headers=headers)
        full = client.get("/v1/tickets", params={"limit": 600}, headers=headers)
    assert queue.status_code == 200, queue.text
    row = next(t for t in queue.json()["tickets"] if t["id"] == ticket_id)
    assert set(row) == {*QUEUE_COLUMNS, "reference"}
    assert full.status_code == 422
    assert full.json()["error"] == "limit_too_large"


def test_reports_show_the_kpis_with_charts_and_a_csv_on_a_desktop_and_a_phone(
    browser: Browser, page: Page, console: str, system: RunningSystem
) -> None:
    """Acme's tickets of this module reach the read model; the page shows their KPIs."""
    ticket_id = system.post_alert({"title": _title(), "severity": "major"})
    system.wait_for_ticket(ticket_id, until="TicketRouted")
    sign_in(page, console, "carol", "/reports?client=acme&by=day")

    def counted() -> int | None:
        page.reload()
        opened = int(
            page.locator(".tiles div", has_text="Tickets opened").locator("dd").inner_text()
        )
        return opened or None

    eventually(counted, 15, "the report never counted Acme's tickets")
    expect(page.get_by_role("heading", name="Trends")).to_be_visible()
    backlog = page.get_by_role("img", name=re.compile("^Backlog"))
    expect(backlog).to_be_visible()
    assert page.locator(".chart").count() == 4
    assert (page.locator("#backlog-d").text_content() or "").count(":") == 28  # one a day
    rows = page.locator("section[aria-labelledby=periods-h] tbody tr")
    assert rows.count() == 28
    assert unlabelled_fields(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    saved = download.value.path()
    header = saved.read_text().splitlines()[0]
    assert header.startswith("period_from,period_to,kpi,breakdown,count")

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    phone = context.new_page()
    try:
        sign_in(phone, console, "carol", "/reports?client=acme&by=week")
        expect(phone.get_by_role("heading", name="Per week")).to_be_visible()
        assert not overflows_sideways(phone)
    finally:
        context.close()
