"""How a vendor's REST API takes cases and tells us about them (a vendor's `api` entry).

A preset fills in the shape of a common kind of API; any field given here wins over it:

- `servicenow`: a table API (`POST {url}/api/now/table/{table}`), the case number at
  `result.number`, looked up by `correlation_id`;
- `zendesk`: a tickets API (`POST {url}/api/v2/tickets.json`), the number at `ticket.id`, looked
  up by `external_id`;
- `webhook`: one `POST {url}` with the case as JSON, the number at `case_number`.

Secrets (the auth header's value, the webhook token) are named here and supplied by the
gateway's `ESCALATOR_VENDOR_SECRETS`, so the configuration file holds none.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from escalator_shared.config.durations import Duration, parse_duration

API_PRESETS = ("servicenow", "zendesk", "webhook")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class VendorStatusUpdates(_Strict):
    """How the vendor's status webhook names the case and its state."""

    case_number_path: str | None = Field(
        default=None, description="Dotted path of the case number in the webhook's body."
    )
    status_path: str | None = Field(default=None, description="Dotted path of the status.")
    acknowledged: list[str] = Field(
        default_factory=list, description="Status values meaning the vendor has responded."
    )
    resolved: list[str] = Field(
        default_factory=list, description="Status values meaning the vendor has resolved it."
    )


class VendorPolling(_Strict):
    """Asking the vendor's API for a case's status, for vendors that send no webhook."""

    every: Duration = Field(
        default_factory=lambda: parse_duration("15m"), description="How often per open case."
    )
    path: str | None = Field(
        default=None,
        description="Appended to url, `{case_number}` replaced; default: the preset's "
        "(servicenow: the table queried by number, zendesk: /api/v2/tickets/{case_number}.json, "
        "webhook: /{case_number}).",
    )
    status_path: str | None = Field(
        default=None, description="Dotted path of the status in the answer; default: preset's."
    )

    @field_validator("path")
    @classmethod
    def _names_the_case(cls, value: str | None) -> str | None:
        if value is not None and "{case_number}" not in value:
            raise ValueError("must contain {case_number}")
        if value is not None and not value.startswith("/"):
            raise ValueError("must start with / (it is appended to the api's url)")
        return value


class VendorApi(_Strict):
    """A vendor's case API: where to send, how to authenticate, where the case number is."""

    preset: Literal["servicenow", "zendesk", "webhook"] = "webhook"
    url: str = Field(pattern=r"^https?://", description="Base URL (presets) or full URL.")
    method: Literal["POST", "PUT"] | None = None
    path: str | None = Field(default=None, description="Appended to url; default: the preset's.")
    table: str = Field(default="incident", description="servicenow: the table cases go to.")
    body: dict[str, Any] | None = Field(
        default=None,
        description="JSON body; strings are Jinja2 templates over the case (default: preset's).",
    )
    case_number_path: str | None = Field(
        default=None, description="Dotted path of the vendor's case number in the answer."
    )
    auth_header: str = "Authorization"
    auth_secret: str | None = Field(
        default=None, description="Name of the secret holding the auth header's whole value."
    )
    webhook_secret: str | None = Field(
        default=None, description="Name of the secret the vendor's status webhook presents."
    )
    timeout: Duration = Field(default_factory=lambda: parse_duration("10s"))
    updates: VendorStatusUpdates = Field(
        default_factory=VendorStatusUpdates,
        description="Status words of the webhook and of polling (acknowledged, resolved).",
    )
    poll: VendorPolling | None = Field(
        default=None, description="Ask for open cases' status on a schedule; unset: never."
    )
