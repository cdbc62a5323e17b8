"""Single sign-on over the running services against a real OpenID Connect provider (Ory Hydra):
the authorization code flow with PKCE, the provider's groups deciding the role, the person's
configured clients still limiting what they see, and every way a sign-in can be refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.service_api import answered_everywhere, call
from tests.harness.oidc_provider import HYDRA, Account, Client, OidcProvider
from tests.harness.waiting import eventually

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not HYDRA.exists(), reason="Ory Hydra not built (deploy/local/test-tools.sh needs Go)"
    ),
]

FRANK = {"Authorization": "Bearer dev-staff-token-frank"}  # an admin
ROLES = {"msp-admins": "admin", "helpdesk": "technician", "service-desk-leads": "manager"}
ACCOUNTS = [
    # Alice is a technician in the configuration; the provider makes her an admin.
    Account("alice@msp.example", "alice-at-the-provider", ("msp-admins", "everyone")),
    # Gina's configuration limits her to globex; her group makes her a technician.
    Account("gina@msp.example", "gina-at-the-provider", ("helpdesk",)),
    Account("carol@msp.example", "carol-at-the-provider", ("marketing",)),
    Account("stranger@elsewhere.example", "stranger-password", ("helpdesk",)),
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    running = OidcProvider(ACCOUNTS, Path(tmp_path_factory.mktemp("hydra")))
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(provider: OidcProvider) -> Client:
    # Registered before intake listens: the callback address is set once it does.
    return provider.register(["http://127.0.0.1:1/v1/sign-in/sso/callback"])


@pytest.fixture(scope="module")
def config_overrides(provider: OidcProvider, client: Client) -> dict[str, Any]:
    return {
        "single_sign_on": {
            "label": "MSP account",
            "issuer": provider.issuer,
            "client_id": client.client_id,
            "roles": ROLES,
        }
    }


@pytest.fixture(scope="module")
def service_env_overrides(client: Client) -> dict[str, str]:
    return {"ESCALATOR_SSO_CLIENT_SECRET": client.client_secret}


@pytest.fixture(scope="module")
def sso(system: RunningSystem, provider: OidcProvider, client: Client) -> RunningSystem:
    intake = system.services["intake"].url
    provider.set_redirect_uris(client, [f"{intake}/v1/sign-in/sso/callback"])
    return system


class Browser:
    """Follows redirects and keeps cookies as a browser does on 127.0.0.1 (where browsers send
    Secure cookies over plain HTTP, which Python's cookie jar does not)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: dict[str, str] = {}

    def get(self, url: str) -> httpx.Response:
        """One request, no redirect followed."""
        return self._keep(httpx.get(url, headers=self._header(), timeout=15))

    def post_form(self, url: str, form: dict[str, str]) -> httpx.Response:
        """A form posted, no redirect followed."""
        return self._keep(httpx.post(url, data=form, headers=self._header(), timeout=15))

    def follow(self, response: httpx.Response, stop_at: str) -> httpx.Response:
        """Follow redirects until one points at an address starting with `stop_at`; that
        request is not made (the test makes it); the last redirect is returned."""
        while response.is_redirect:
            target = urljoin(str(response.url), response.headers["location"])
            if target.startswith(stop_at):
                return response
            response = self.get(target)
        raise AssertionError(f"no redirect to {stop_at}: {response.status_code} {response.text}")

    def _header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def _keep(self, response: httpx.Response) -> httpx.Response:
        for header in response.headers.get_list("set-cookie"):
            name, rest = header.split("=", 1)
            value = rest.split(";", 1)[0]
            self.set_cookie_headers[name] = header
            if value in ("", '""') or "max-age=0" in header.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response


def _location(response: httpx.Response) -> str:
    return urljoin(str(response.url), response.headers["location"])


def _to_callback(
    system: RunningSystem, provider: OidcProvider, email: str, password: str, next_path: str = ""
) -> tuple[Browser, str]:
    """Begin signing in, sign in at the provider's screen; the browser and the callback
    address the provider sends it back to (not yet visited)."""
    browser = Browser()
    intake = system.services["intake"].url
    begun = browser.get(f"{intake}/v1/sign-in/sso" + (f"?next={next_path}" if next_path else ""))
    assert begun.status_code == 303, begun.text
    at_login = browser.follow(begun, provider.login_url)
    challenge = parse_qs(urlsplit(_location(at_login)).query)["login_challenge"][0]
    posted = browser.post_form(
        provider.login_url, {"challenge": challenge, "email": email, "password": password}
    )
    back = browser.follow(posted, f"{intake}/v1/sign-in/sso/callback")
    return browser, _location(back)


def _signed_in(
    system: RunningSystem, provider: OidcProvider, email: str, password: str, next_path: str = ""
) -> tuple[Browser, httpx.Response]:
    browser, callback = _to_callback(system, provider, email, password, next_path)
    return browser, browser.get(callback)


def _session(browser: Browser) -> dict[str, str]:
    return {"Cookie": f"escalator_session={browser.cookies['escalator_session']}"}


def test_the_sign_in_page_learns_the_methods(sso: RunningSystem) -> None:
    methods = call(sso, "intake", "GET", "/v1/sign-in/methods", {})
    assert methods.status_code == 200
    assert methods.json() == {
        "password": True,
        "client_passwords": True,
        "single_sign_on": {"label": "MSP account", "start": "/v1/sign-in/sso"},
    }


def test_the_flow_uses_pkce_and_a_state_bound_to_the_browser(
    sso: RunningSystem, client: Client
) -> None:
    browser = Browser()
    begun = browser.get(f"{sso.services['intake'].url}/v1/sign-in/sso")
    assert begun.status_code == 303
    asked = parse_qs(urlsplit(begun.headers["location"]).query)
    assert asked["response_type"] == ["code"]
    assert asked["client_id"] == [client.client_id]
    assert asked["code_challenge_method"] == ["S256"]
    assert len(asked["code_challenge"][0]) == 43  # base64url SHA-256, not the verifier itself
    assert set(asked["scope"][0].split()) == {"openid", "email", "profile"}
    assert len(asked["nonce"][0]) >= 32
    state_cookie = browser.set_cookie_headers["escalator_sso_state"].lower()
    assert browser.cookies["escalator_sso_state"] == asked["state"][0]
    for attribute in ("httponly", "secure", "samesite=lax", "path=/v1/sign-in/sso/callback"):
        assert attribute in state_cookie


def test_the_providers_groups_decide_the_role_on_every_service(
    sso: RunningSystem, provider: OidcProvider
) -> None:
    browser, back = _signed_in(sso, provider, "alice@msp.example", "alice-at-the-provider")
    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/"
    session_cookie = browser.set_cookie_headers["escalator_session"].lower()
    for attribute in ("httponly", "secure", "samesite=lax"):
        assert attribute in session_cookie
    assert "escalator_csrf" in browser.cookies
    assert "escalator_sso_state" not in browser.cookies  # used once, then cleared
    session = _session(browser)
    answered_everywhere(sso, session, 200, "Alice's single sign-on session")
    # The audit log is for admins: Alice is one through her provider group.
    assert call(sso, "intake", "GET", "/v1/audit?limit=5", session).status_code == 200

    def recorded() -> list[dict[str, Any]] | None:
        lines = call(sso, "intake", "GET", "/v1/audit?limit=1000", FRANK).json()["lines"]
        done = [
            e
            for e in lines
            if e["path"] == "/v1/sign-in/sso/callback"
            and e["person"] == "alice"
            and e["outcome"] == "done"
        ]
        return done or None

    line = eventually(recorded, 20, "Alice's sign-in never reached the audit log")[0]
    assert (line["role"], line["method"], line["source"]) == ("admin", "GET", "127.0.0.1")


def test_configured_clients_still_limit_a_single_sign_on_person(
    sso: RunningSystem, provider: OidcProvider
) -> None:
    acme = sso.post_alert(
        {"source": "sso-test", "title": "acme disk full", "severity": "warning", "client": "acme"}
    )
    sso.wait_for_ticket(acme, until="TicketRouted")
    browser, back = _signed_in(
        sso, provider, "gina@msp.example", "gina-at-the-provider", next_path="/console/queue"
    )
    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/console/queue"
    session = _session(browser)
    answered_everywhere(sso, session, 200, "Gina's single sign-on session")
    tickets = call(sso, "intake", "GET", "/v1/tickets?limit=500", session).json()["tickets"]
    assert {t["client_id"] for t in tickets} <= {"globex"}
    assert call(sso, "intake", "GET", f"/v1/tickets/{acme}", session).status_code == 404
    assert call(sso, "intake", "GET", "/v1/audit", session).status_code in {403, 404}


def test_nobody_is_sent_to_another_site_after_signing_in(
    sso: RunningSystem, provider: OidcProvider
) -> None:
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        _, back = _signed_in(
            sso, provider, "gina@msp.example", "gina-at-the-provider", next_path=elsewhere
        )
        assert back.status_code == 303, back.text
        assert back.headers["location"] == "/", elsewhere


def test_refusals_name_what_is_wrong_and_are_audited(
    sso: RunningSystem, provider: OidcProvider
) -> None:
    _, no_role = _signed_in(sso, provider, "carol@msp.example", "carol-at-the-provider")
    assert no_role.status_code == 403
    assert no_role.json()["error"] == "sso_no_role"
    assert "marketing" in no_role.json()["message"]
    _, stranger = _signed_in(sso, provider, "stranger@elsewhere.example", "stranger-password")
    assert stranger.status_code == 403
    assert stranger.json()["error"] == "sso_unknown_person"
    _, wrong = _signed_in(sso, provider, "alice@msp.example", "not-alices-password")
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "sso_refused"
    assert "access_denied" in wrong.json()["message"]
    for refused in (no_role, stranger, wrong):
        assert "escalator_session" not in refused.headers.get("set-cookie", "")

    def recorded() -> list[dict[str, Any]] | None:
        lines = call(sso, "intake", "GET", "/v1/audit?limit=1000", FRANK).json()["lines"]
        failed = {
            e["person"]
            for e in lines
            if e["path"] == "/v1/sign-in/sso/callback" and e["outcome"] == "sign_in_failed"
        }
        wanted = {"carol@msp.example", "stranger@elsewhere.example", "(single sign-on)"}
        return lines if wanted <= failed else None

    eventually(recorded, 20, "the refused single sign-ons never reached the audit log")


def test_a_callback_works_once_and_only_in_the_browser_that_began(
    sso: RunningSystem, provider: OidcProvider
) -> None:
    browser, callback = _to_callback(sso, provider, "gina@msp.example", "gina-at-the-provider")
    elsewhere = Browser()  # someone handed the link: no state cookie of theirs matches
    stolen = elsewhere.get(callback)
    assert stolen.status_code == 400
    assert stolen.json()["error"] == "sso_other_browser"
    assert browser.get(callback).status_code == 303
    browser.cookies["escalator_sso_state"] = parse_qs(urlsplit(callback).query)["state"][0]
    replayed = browser.get(callback)
    assert replayed.status_code == 400
    assert replayed.json()["error"] == "sso_expired"


def test_signing_out_ends_a_single_sign_on_session_everywhere(
    sso: RunningSystem, provider: OidcProvider
) -> None:
    browser, back = _signed_in(sso, provider, "alice@msp.example", "alice-at-the-provider")
    assert back.status_code == 303, back.text
    session = _session(browser)
    answered_everywhere(sso, session, 200, "Alice's session")
    csrf = {**session, "X-CSRF-Token": browser.cookies["escalator_csrf"]}
    assert call(sso, "intake", "POST", "/v1/sign-out", csrf).status_code == 200
    answered_everywhere(sso, session, 401, "Alice's signed-out session")


def test_no_client_secret_code_or_session_reaches_any_log(
    sso: RunningSystem, provider: OidcProvider, client: Client
) -> None:
    browser, callback = _to_callback(sso, provider, "alice@msp.example", "alice-at-the-provider")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    assert browser.get(callback).status_code == 303
    answered_everywhere(sso, _session(browser), 200, "Alice's session")
    secrets = {
        client.client_secret,
        code,
        browser.cookies["escalator_session"],
        "alice-at-the-provider",
    }
    for service in sso.services.values():
        log = service.log_path.read_text(errors="replace")
        leaked = sorted(s for s in secrets if s in log)
        assert not leaked, f"{service.name}'s log holds {leaked}"
