"""Who may sign in or call the APIs: staff roles and scopes, client contacts, API tokens.

Secrets are stored hashed: API and integration tokens as SHA-256 digests (they are long random
strings, so a fast digest is enough and lets every request be checked in microseconds), passwords
as argon2id hashes (people choose them, so a slow hash guards them). A plaintext `token:` is
accepted outside production only, for tests and quick experiments.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

StaffRole = Literal["technician", "manager", "admin"]

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def token_digest(token: str) -> str:
    """The SHA-256 digest (hex) stored in place of a token.

    A token taken from a JSON body may hold a lone surrogate, which plain UTF-8 cannot encode;
    it is digested as is and so matches nothing.
    """
    return hashlib.sha256(token.encode(errors="surrogatepass")).hexdigest()


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HashedToken(_Strict):
    """A token held as its digest (`token_sha256`), or, outside production, in plain text."""

    token_sha256: str | None = Field(
        default=None, description="`escalator tokens hash` prints it for a token."
    )
    token: SecretStr | None = Field(
        default=None, min_length=8, description="Plain text: refused in production."
    )

    @field_validator("token_sha256")
    @classmethod
    def _hex_digest(cls, value: str | None) -> str | None:
        if value is not None and not _SHA256_HEX.fullmatch(value):
            raise ValueError("token_sha256 must be 64 lower-case hex digits (a SHA-256 digest)")
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> HashedToken:
        if (self.token_sha256 is None) == (self.token is None):
            raise ValueError("give exactly one of token_sha256 (stored hashed) and token")
        return self

    @property
    def digest(self) -> str:
        """The token's SHA-256 digest, however it was given."""
        if self.token_sha256 is not None:
            return self.token_sha256
        assert self.token is not None
        return token_digest(self.token.get_secret_value())


class ApiToken(HashedToken):
    """A named API token acting for a person (staff) or a client contact (by email).

    Its role and clients default to the person's and may only narrow them.
    """

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    person: str | None = Field(default=None, description="The staff member it acts for.")
    contact: str | None = Field(default=None, description="The client contact it acts for.")
    role: StaffRole | None = Field(default=None, description="Narrower than the person's.")
    clients: list[str] | None = Field(
        default=None, description="Narrower than the person's clients."
    )
    expires_at: datetime | None = Field(default=None, description="With a UTC offset.")

    @model_validator(mode="after")
    def _one_holder(self) -> ApiToken:
        if (self.person is None) == (self.contact is None):
            raise ValueError("name exactly one of person (staff) and contact (client contact)")
        if self.contact is not None and (self.role is not None or self.clients is not None):
            raise ValueError("a client contact's token takes its client from the contact")
        if self.expires_at is not None and self.expires_at.tzinfo is None:
            raise ValueError("expires_at needs a UTC offset, e.g. 2027-01-31T00:00:00Z")
        return self


class ClientContact(_Strict):
    """One of the client's own people, who signs in to see the client's tickets."""

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    name: str
    password_hash: str | None = Field(
        default=None, description="argon2id; `escalator users hash-password` makes one."
    )
    time_zone: str = "UTC"
