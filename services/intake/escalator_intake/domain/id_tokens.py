"""Checking an OpenID Connect ID token (joserfc): signed by one of the provider's keys, issued
by the configured issuer for our client, unexpired, and answering the nonce we sent."""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from joserfc.errors import DecodeError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from escalator_intake.domain.single_sign_on import SsoRefusedError

# Asymmetric algorithms only: "none" and HMAC (keyed with the client secret) are refused.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
LEEWAY_SECONDS = 60  # clock skew between us and the provider


class UnknownSigningKeyError(Exception):
    """The token names a key the provider's key set lacks (it may have rotated its keys)."""


def id_token_claims(
    id_token: str, keys: dict[str, Any], *, issuer: str, client_id: str, nonce: str, now: int
) -> dict[str, Any]:
    """The token's claims once every check has passed; SsoRefusedError naming what failed."""
    try:
        key_set = KeySet.import_key_set(keys)  # type: ignore[arg-type]
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise _refused(f"the provider's key set is unusable ({exc})") from exc
    try:
        token = jwt.decode(id_token, key_set, algorithms=ALGORITHMS)
    except InvalidKeyIdError as exc:
        raise UnknownSigningKeyError(str(exc)) from exc
    except (DecodeError, ValueError) as exc:
        raise _refused("the ID token is not a signed JWT") from exc
    except JoseError as exc:
        raise _refused(f"the ID token's signature does not verify ({exc.error})") from exc
    claims: dict[str, Any] = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        detail = exc.description or exc.error
        raise _refused(f"the ID token is not for this sign-in ({detail})") from exc
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise _refused("the ID token was issued to another client (azp)")
    return claims


def _refused(message: str) -> SsoRefusedError:
    return SsoRefusedError(401, "sso_invalid_token", message)
