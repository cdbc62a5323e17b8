"""Screenshots of every console page, from the system `make up` runs, into docs/img/.

`make screenshots`: opens a few tickets (one acknowledged, one with a vendor case), then drives
Debian's Chromium through sign-in, the queue, a ticket, on call, an escalation path, explain and
a one-click link, on a desktop and on a phone.
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Page

from tests.e2e.browser import DESKTOP, PHONE, chromium, sign_in

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "img"
CONSOLE = "http://127.0.0.1:8000"
INTAKE = "http://127.0.0.1:8001"
STAFF = {"Authorization": "Bearer dev-staff-token-alice"}


def _alert(client: httpx.Client, title: str, severity: str) -> str:
    body = {"title": title, "severity": severity, "device": f"shot-{uuid.uuid4().hex[:6]}"}
    answer = client.post(
        f"{INTAKE}/v1/webhooks/acme-monitoring",
        json=body,
        headers={"Authorization": "Bearer dev-token-acme-monitoring"},
    )
    answer.raise_for_status()
    ticket_id: str = answer.json()["ticket_id"]
    return ticket_id


def _links(client: httpx.Client, ticket_id: str) -> dict[str, str]:
    for _ in range(50):
        answer = client.post(f"{INTAKE}/v1/tickets/{ticket_id}/links", headers=STAFF)
        if answer.status_code == 200:
            links: dict[str, str] = answer.json()
            return links
        time.sleep(0.2)
    raise SystemExit(f"no links for {ticket_id}")


def _shoot(page: Page, name: str, full_page: bool = True) -> None:
    page.wait_for_load_state("networkidle")
    status = page.evaluate("() => performance.getEntriesByType('navigation')[0].responseStatus")
    if status != 200:
        raise SystemExit(f"{page.url} answered {status}: not photographing it as {name}")
    path = OUT / f"console-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"wrote {path.relative_to(REPO)}")  # noqa: T201


def main() -> int:
    """Open tickets, then photograph each page."""
    OUT.mkdir(parents=True, exist_ok=True)
    with httpx.Client(timeout=30) as client:
        critical = _alert(client, "Exchange Online: mail flow delayed for all users", "critical")
        _alert(client, "Backup job failed on srv-files-01", "major")
        _alert(client, "Printer queue stuck on floor 2", "warning")
        acked = _alert(client, "VPN tunnel to branch office flapping", "major")
        time.sleep(3)
        client.post(f"{INTAKE}/v1/tickets/{acked}/acknowledge", headers=STAFF)
        client.post(
            f"{INTAKE}/v1/tickets/{critical}/notes",
            headers=STAFF,
            json={"text": "Mail queues growing; checking the connector.", "customer_visible": True},
        )
        client.post(f"{INTAKE}/v1/tickets/{acked}/resolve", headers=STAFF)
        links = _links(client, critical)
    time.sleep(2)
    with chromium() as browser:
        desktop = browser.new_context(viewport=DESKTOP, timezone_id="Europe/London")  # type: ignore[arg-type]
        page = desktop.new_page()
        page.goto(f"{CONSOLE}/sign-in")
        _shoot(page, "sign-in", full_page=False)
        sign_in(page, CONSOLE, "alice", "/queue?scope=all")
        _shoot(page, "queue")
        page.goto(f"{CONSOLE}/tickets/{critical}")
        _shoot(page, "ticket")
        page.goto(f"{CONSOLE}/on-call")
        _shoot(page, "on-call")
        page.goto(f"{CONSOLE}/escalation/acme")
        _shoot(page, "escalation")
        page.goto(f"{CONSOLE}/explain")
        page.select_option("#client", "acme")
        page.fill("#title", "Exchange Online: mail flow delayed")
        page.select_option("#severity", "critical")
        page.get_by_role("button", name="Explain").click()
        _shoot(page, "explain")
        page.goto(f"{CONSOLE}/reports?client=acme&by=day")
        _shoot(page, "reports")
        anonymous = browser.new_context(viewport=PHONE, is_mobile=True, timezone_id="Europe/London")  # type: ignore[arg-type]
        link_page = anonymous.new_page()
        link_page.goto(links["acknowledge"])
        _shoot(link_page, "one-click-phone")
        phone = browser.new_context(viewport=PHONE, is_mobile=True, timezone_id="Europe/London")  # type: ignore[arg-type]
        small = phone.new_page()
        sign_in(small, CONSOLE, "alice", "/queue?scope=all")
        _shoot(small, "queue-phone")
        small.goto(f"{CONSOLE}/tickets/{critical}")
        _shoot(small, "ticket-phone", full_page=False)
        small.goto(f"{CONSOLE}/reports?client=acme&by=week")
        _shoot(small, "reports-phone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
