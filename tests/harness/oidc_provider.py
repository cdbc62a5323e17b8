"""A real OpenID Connect provider for the single sign-on tests: Ory Hydra, built from its Go
module by deploy/local/test-tools.sh, with the login and consent app it delegates to.

Hydra is headless by design: the deployer supplies the login and consent screens, which accept
a sign-in through Hydra's admin API. Ours checks an account list (email, password, groups) and
puts the email and groups into the ID token, as a directory-backed provider does.
"""

from __future__ import annotations

import html
import os
import secrets
import subprocess
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from tests.harness.background_server import BackgroundServer
from tests.harness.environment import REPO
from tests.harness.processes import free_port
from tests.harness.waiting import eventually

HYDRA = REPO / "var" / "tools" / "hydra"


@dataclass(frozen=True)
class Account:
    """Someone the provider knows."""

    email: str
    password: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Client:
    """An OAuth 2 client registered at the provider."""

    client_id: str
    client_secret: str


class OidcProvider:
    """`start()`, `register(...)`, sign in through it, `stop()`."""

    def __init__(self, accounts: list[Account], workdir: Path) -> None:
        self.accounts = {a.email: a for a in accounts}
        self.public_port, self.admin_port = free_port(), free_port()
        self._login = _LoginApp(self)
        self._log = workdir / "hydra.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def issuer(self) -> str:
        """The issuer URL (as Hydra puts it in tokens)."""
        return f"http://127.0.0.1:{self.public_port}/"

    @property
    def admin(self) -> str:
        """Hydra's admin API."""
        return f"http://127.0.0.1:{self.admin_port}"

    @property
    def login_url(self) -> str:
        """The login screen's address."""
        return f"{self._login.url}/login"

    def log(self) -> str:
        """What Hydra has logged."""
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    def start(self) -> None:
        """Start the login app and Hydra (in memory), and wait for Hydra's metadata."""
        self._login.start()
        env = {
            **os.environ,
            "DSN": "memory",
            "SECRETS_SYSTEM": secrets.token_urlsafe(32),
            "URLS_SELF_ISSUER": self.issuer,
            "URLS_LOGIN": self.login_url,
            "URLS_CONSENT": f"{self._login.url}/consent",
            "SERVE_PUBLIC_HOST": "127.0.0.1",
            "SERVE_PUBLIC_PORT": str(self.public_port),
            "SERVE_ADMIN_HOST": "127.0.0.1",
            "SERVE_ADMIN_PORT": str(self.admin_port),
            "LOG_LEVEL": "warn",
        }
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                [str(HYDRA), "serve", "all", "--dev", "--sqa-opt-out"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def serving() -> bool:
            assert self._process is not None
            assert self._process.poll() is None, f"hydra exited: {self.log()[-2000:]}"
            try:
                metadata = httpx.get(self.issuer + ".well-known/openid-configuration")
            except httpx.HTTPError:
                return False
            return metadata.status_code == 200

        eventually(serving, within=60.0, what="hydra serving its metadata")

    def stop(self) -> None:
        """Stop Hydra and the login app."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=20)
        self._login.stop()

    def register(self, redirect_uris: list[str]) -> Client:
        """A confidential client using the authorization code flow (Hydra picks its id)."""
        secret = "sso-client-secret-" + secrets.token_urlsafe(16)
        answer = httpx.post(
            f"{self.admin}/admin/clients",
            json={
                "client_name": "escalator",
                "client_secret": secret,
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "scope": "openid email profile",
                "redirect_uris": redirect_uris,
                "token_endpoint_auth_method": "client_secret_basic",
            },
        )
        assert answer.status_code == 201, answer.text
        return Client(answer.json()["client_id"], secret)

    def set_redirect_uris(self, client: Client, redirect_uris: list[str]) -> None:
        """Point the client's registration at where the service now listens."""
        answer = httpx.patch(
            f"{self.admin}/admin/clients/{client.client_id}",
            json=[{"op": "replace", "path": "/redirect_uris", "value": redirect_uris}],
        )
        assert answer.status_code == 200, answer.text

    def accept_login(self, challenge: str, email: str, password: str) -> str:
        """Hydra's next address for a login: accepted for a known account, else rejected."""
        account = self.accounts.get(email)
        if account is not None and secrets.compare_digest(account.password, password):
            verdict, body = "accept", {"subject": email}
        else:
            verdict = "reject"
            body = {"error": "access_denied", "error_description": "wrong email or password"}
        return self._decide("login", verdict, challenge, body)

    def accept_consent(self, challenge: str) -> str:
        """Hydra's next address for consent: granted, the ID token carrying email and groups."""
        request = httpx.get(
            f"{self.admin}/admin/oauth2/auth/requests/consent",
            params={"consent_challenge": challenge},
        )
        assert request.status_code == 200, request.text
        asked: dict[str, Any] = request.json()
        account = self.accounts[asked["subject"]]
        body = {
            "grant_scope": asked["requested_scope"],
            "grant_access_token_audience": asked["requested_access_token_audience"],
            "session": {
                "id_token": {
                    "email": account.email,
                    "email_verified": True,
                    "groups": list(account.groups),
                }
            },
        }
        return self._decide("consent", "accept", challenge, body)

    def _decide(self, step: str, verdict: str, challenge: str, body: dict[str, Any]) -> str:
        answer = httpx.put(
            f"{self.admin}/admin/oauth2/auth/requests/{step}/{verdict}",
            params={f"{step}_challenge": challenge},
            json=body,
        )
        assert answer.status_code == 200, answer.text
        target: str = answer.json()["redirect_to"]
        return target


class _LoginApp(BackgroundServer):
    """The login and consent screens Hydra sends browsers to."""

    def __init__(self, provider: OidcProvider) -> None:
        self.serve(_screens(provider))


def _screens(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Screens(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            if parts.path == "/login":
                challenge = html.escape(query.get("login_challenge", ""))
                page = (
                    '<form method="post" action="/login">'
                    f'<input type="hidden" name="challenge" value="{challenge}">'
                    '<input name="email"><input name="password" type="password">'
                    "<button>Sign in</button></form>"
                )
                self._answer(200, page)
            elif parts.path == "/consent":
                self._redirect(provider.accept_consent(query.get("consent_challenge", "")))
            else:
                self._answer(404, "not found")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            target = provider.accept_login(
                form.get("challenge", ""), form.get("email", ""), form.get("password", "")
            )
            self._redirect(target)

        def _redirect(self, target: str) -> None:
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _answer(self, status: int, page: str) -> None:
            body = page.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Screens
