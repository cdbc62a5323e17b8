"""Talking to the OpenID Connect provider: its metadata, its signing keys, the code exchange.

Metadata and keys are cached for an hour; keys are fetched again at once when a token names a
key we do not have (the provider rotated them). An unreachable provider is a 503 naming it:
the person can try again; nothing is half-signed-in.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from escalator_intake.domain.id_tokens import UnknownSigningKeyError, id_token_claims
from escalator_intake.domain.single_sign_on import SsoRefusedError
from escalator_shared.config import SingleSignOn

CACHE_SECONDS = 3600.0
TIMEOUT = httpx.Timeout(10.0)


class OidcClient:
    """One configured provider, as a confidential client (with ESCALATOR_SSO_CLIENT_SECRET)
    or a public one (PKCE alone)."""

    def __init__(self, sso: SingleSignOn, client_secret: str | None) -> None:
        self._sso = sso
        self._secret = client_secret
        self._metadata: dict[str, Any] | None = None
        self._keys: dict[str, Any] | None = None
        self._fetched_at = 0.0

    async def authorization_url(
        self, redirect_uri: str, state: str, nonce: str, verifier: str
    ) -> str:
        """Where to send the browser to sign in at the provider."""
        metadata = await self._provider()
        return str(
            prepare_grant_uri(
                metadata["authorization_endpoint"],
                self._sso.client_id,
                "code",
                redirect_uri=redirect_uri,
                scope=" ".join(self._sso.scopes),
                state=state,
                nonce=nonce,
                code_challenge=create_s256_code_challenge(verifier),  # type: ignore[no-untyped-call]
                code_challenge_method="S256",
            )
        )

    async def identity(
        self, code: str, redirect_uri: str, verifier: str, nonce: str
    ) -> dict[str, Any]:
        """The checked ID token claims the code stands for."""
        metadata = await self._provider()
        tokens = await self._exchange(metadata["token_endpoint"], code, redirect_uri, verifier)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise SsoRefusedError(
                502, "sso_provider_error", "the provider answered without an ID token"
            )
        try:
            return await self._checked(id_token, nonce)
        except UnknownSigningKeyError:
            self._keys = None  # the provider may have rotated its keys: fetch them again
        try:
            return await self._checked(id_token, nonce)
        except UnknownSigningKeyError as exc:
            raise SsoRefusedError(
                401, "sso_invalid_token", "the ID token's key is not among the provider's keys"
            ) from exc

    async def _checked(self, id_token: str, nonce: str) -> dict[str, Any]:
        keys = await self._signing_keys()
        sso = self._sso
        return id_token_claims(
            id_token,
            keys,
            issuer=sso.issuer,
            client_id=sso.client_id,
            nonce=nonce,
            now=int(time.time()),
        )

    async def _exchange(
        self, endpoint: str, code: str, redirect_uri: str, verifier: str
    ) -> dict[str, Any]:
        extra = {} if self._secret else {"client_id": self._sso.client_id}
        body = prepare_token_request(
            "authorization_code",
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=verifier,
            **extra,
        )
        auth = httpx.BasicAuth(self._sso.client_id, self._secret) if self._secret else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        answer = await self._request("POST", endpoint, content=body, headers=headers, auth=auth)
        if answer.status_code != 200:
            error = _json(answer).get("error", f"HTTP {answer.status_code}")
            raise SsoRefusedError(
                401, "sso_code_refused", f"the provider refused the sign-in code ({error})"
            )
        return _json(answer)

    async def _provider(self) -> dict[str, Any]:
        if self._metadata is None or time.monotonic() - self._fetched_at > CACHE_SECONDS:
            answer = await self._request("GET", self._sso.discovery_url)
            metadata = _json(answer) if answer.status_code == 200 else {}
            needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
            if any(not isinstance(metadata.get(k), str) for k in needed):
                raise _unavailable(f"{self._sso.discovery_url} is not OpenID Connect metadata")
            if metadata["issuer"] != self._sso.issuer:
                raise _unavailable(
                    f"the provider calls itself {metadata['issuer']!r}, "
                    f"not the configured issuer {self._sso.issuer!r}"
                )
            self._metadata, self._keys = metadata, None
            self._fetched_at = time.monotonic()
        return self._metadata

    async def _signing_keys(self) -> dict[str, Any]:
        if self._keys is None:
            metadata = await self._provider()
            answer = await self._request("GET", metadata["jwks_uri"])
            keys = _json(answer)
            if answer.status_code != 200 or not isinstance(keys.get("keys"), list):
                raise _unavailable(f"{metadata['jwks_uri']} gave no key set")
            self._keys = keys
        return self._keys

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT) as http:
                return await http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise _unavailable(f"{url} did not answer ({type(exc).__name__})") from exc


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _unavailable(message: str) -> SsoRefusedError:
    return SsoRefusedError(503, "sso_provider_unavailable", message)
