"""Driving Debian's Chromium with Playwright, and the console process beside a test system."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.harness.processes import ServiceProcess

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")
BACKENDS = ("intake", "router", "sla-timer", "vendor-gateway", "notifier")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def chromium_path() -> str:
    """Debian's Chromium (deploy/local/test-tools.sh installs it); a failure, never a skip."""
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "chromium is not installed: run deploy/local/test-tools.sh (apt-get install chromium)"
    )


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium for the module's pages."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def console_process(
    services: dict[str, ServiceProcess], log_dir: Path, port: int, refresh_seconds: float
) -> ServiceProcess:
    """The console, pointed at the system's five services with the same configuration."""
    intake = services["intake"]
    env = {
        "ESCALATOR_ENVIRONMENT": "test",
        "ESCALATOR_CONFIG": intake.env["ESCALATOR_CONFIG"],
        "ESCALATOR_REFRESH_SECONDS": str(refresh_seconds),
        **{
            f"ESCALATOR_{name.upper().replace('-', '_')}_URL": services[name].url
            for name in BACKENDS
        },
    }
    return ServiceProcess("console", env, log_dir, port=port)


def sign_in(page: Page, base_url: str, person: str, next_path: str = "/queue") -> None:
    """Sign in through the console's form as one of the example people."""
    page.goto(f"{base_url}{next_path}")
    if not re.search(r"/sign-in\?next=", page.url):
        raise AssertionError(
            f"expected the sign-in page, got {page.url}: {page.inner_text('main')}"
        )
    page.fill("#email", f"{person}@msp.example")
    page.fill("#password", f"dev-password-{person}")
    page.click("form[action='/sign-in'] button[type=submit]")
    try:
        page.wait_for_url(re.compile("^" + re.escape(base_url + next_path)), timeout=8000)
    except Exception as exc:
        raise AssertionError(f"after sign-in: {page.url}: {page.content()[:3000]}") from exc


def unlabelled_fields(page: Page) -> list[str]:
    """Visible form fields without a label a screen reader would read."""
    found: list[str] = page.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea'))
            .filter(el => el.type !== 'hidden')
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map(el => el.outerHTML)"""
    )
    return found


def overflows_sideways(page: Page) -> bool:
    """Whether the page scrolls horizontally (unusable on a phone)."""
    wider: bool = page.evaluate(
        "() => document.documentElement.scrollWidth > window.innerWidth + 1"
    )
    return wider
