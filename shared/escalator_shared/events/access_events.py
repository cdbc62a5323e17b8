"""Events about who may call the APIs: API tokens issued and revoked through the API.

The `access` topic is compacted and keyed by token id: each message carries the token's whole
current state, so a service that reads the topic from its start knows every live token.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from escalator_shared.events.envelope import Event


class ApiTokenChanged(Event):
    """An API token was issued or revoked; its whole state as of now (never the token itself)."""

    event_type: ClassVar[str] = "ApiTokenChanged"
    stream: ClassVar[str] = "access"

    token_id: str
    name: str
    kind: Literal["token", "session", "sso_session"] = Field(
        default="token",
        description="An API token, or a signed-in session (a cookie): by password, or through "
        "single sign-on (whose role the provider's groups gave).",
    )
    person: str | None = Field(default=None, description="The staff member it acts for.")
    contact: str | None = Field(default=None, description="The client contact it acts for.")
    role: Literal["technician", "manager", "admin"] | None = Field(
        default=None,
        description="Narrower than the person's role (an sso_session's: the one its groups "
        "give); None: the person's.",
    )
    clients: list[str] | None = Field(
        default=None, description="Narrower than the person's clients; None: the person's."
    )
    token_sha256: str = Field(description="SHA-256 digest (hex) of the token.")
    expires_at: datetime | None = None
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None


class StaffActionRecorded(Event):
    """A person did something through an API, or a token failed: one line of the audit log."""

    event_type: ClassVar[str] = "StaffActionRecorded"
    stream: ClassVar[str] = "audit"

    at: datetime
    service: str
    person: str | None = Field(description="Who (a person id or contact email); None: unknown.")
    role: str | None = None
    token: str | None = Field(default=None, description="The API token's name, if one was used.")
    source: str | None = Field(default=None, description="The caller's address.")
    method: str
    path: str = Field(description="What: the request path, ids included, no query string.")
    status: int = Field(description="The answer's HTTP status.")
    outcome: Literal["done", "refused", "failed", "invalid_token", "sign_in_failed"]
