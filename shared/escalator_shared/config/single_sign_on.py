"""Single sign-on: staff sign in through an OpenID Connect provider (docs/security.md).

The authorization code flow with PKCE: intake sends the browser to the provider, takes the code
back at `/v1/sign-in/sso/callback`, exchanges it and checks the ID token. The person is found
by the verified email address; the provider's groups decide the role.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from escalator_shared.config.access import StaffRole

CALLBACK_PATH = "/v1/sign-in/sso/callback"


class SingleSignOn(BaseModel):
    """An OpenID Connect provider (Entra ID, Okta, Google, Keycloak, Ory Hydra, …)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(
        default="Single sign-on", min_length=1, description="The sign-in button's words."
    )
    issuer: str = Field(description="The provider's issuer URL, exactly as its ID tokens give it.")
    client_id: str = Field(min_length=1)
    redirect_uri: str | None = Field(
        default=None,
        description=f"Where the provider sends the browser back: intake's {CALLBACK_PATH} as "
        "browsers reach it (set it behind a proxy; by default, as the request arrived). The "
        "client secret, if the provider gives one, is ESCALATOR_SSO_CLIENT_SECRET.",
    )
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile"])
    groups_claim: str = Field(
        default="groups", min_length=1, description="The ID token claim listing the groups."
    )
    roles: dict[str, StaffRole] = Field(
        min_length=1,
        description="Provider group → role; a person in several groups gets the highest role, "
        "in none of them cannot sign in this way.",
    )
    staff_passwords: bool = Field(
        default=True,
        description="false: staff sign in only through the provider (client contacts keep "
        "their passwords).",
    )

    @field_validator("issuer", "redirect_uri")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("scopes")
    @classmethod
    def _openid(cls, value: list[str]) -> list[str]:
        if "openid" not in value:
            raise ValueError("must include openid")
        return value

    @property
    def discovery_url(self) -> str:
        """The provider's metadata document."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"
