"""The vendor directory: whom to call, what they need in a case, when to engage them, what they
commit to, and when the entry was last checked.

A case field names where its value comes from (`source`):

- `ticket.<field>`: title, description, device, priority, reference, error_codes, opened_at,
  or `ticket.labels.<key>` (a label the alert carried, e.g. a serial number);
- `client.<field>`: id, name, or `client.account.<key>` (the client's own ids at this vendor,
  from the client's `vendor_accounts`, e.g. a tenant id);
- `vendor.account.<key>`: the MSP's ids at the vendor (partner id, contract, entitlement);
- `technician`: nothing holds it; the assigned technician is asked for it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from escalator_shared.config.durations import Duration
from escalator_shared.config.oncall import TimeWindow, check_time_zone
from escalator_shared.config.sla import VendorCommitment
from escalator_shared.config.vendor_api import VendorApi

TICKET_FIELDS: Final = frozenset(
    {"title", "description", "device", "priority", "reference", "error_codes", "opened_at"}
)
CLIENT_FIELDS: Final = frozenset({"id", "name"})
SOURCE_PATTERN: Final = (
    r"^(technician"
    rf"|ticket\.({'|'.join(sorted(TICKET_FIELDS))})"
    rf"|client\.({'|'.join(sorted(CLIENT_FIELDS))})"
    r"|(ticket\.labels|client\.account|vendor\.account)\.[A-Za-z0-9._-]+)$"
)
_SOURCES_HELP: Final = (
    f"technician, ticket.<{'|'.join(sorted(TICKET_FIELDS))}>, ticket.labels.<key>, "
    f"client.<{'|'.join(sorted(CLIENT_FIELDS))}>, client.account.<key> or vendor.account.<key>"
)
DEFAULT_REVIEW_EVERY: Final = timedelta(days=91)  # a quarter


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Hotline(_Strict):
    """A support line, its opening hours and what to say."""

    number: str = Field(min_length=3)
    time_zone: str = "UTC"
    hours: list[TimeWindow] = Field(
        default_factory=list, description="In `time_zone`; empty: around the clock."
    )
    script: str = Field(default="", description="What the technician says and asks for.")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_time_zone(value)


class VendorEscalationLevel(_Strict):
    """The vendor's own escalation: whom to chase once a case has waited this long."""

    name: str = Field(min_length=1, description="e.g. duty manager.")
    after: Duration = Field(description="Since the case opened, unresolved.")
    contact: str = Field(min_length=1, description="Email address, phone number or URL.")


class CaseField(_Strict):
    """One piece of data the vendor requires (or accepts) in a case."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="e.g. tenant_id.")
    label: str = Field(default="", description="As the vendor calls it, e.g. 'Tenant ID'.")
    source: str
    required: bool = True

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if not re.match(SOURCE_PATTERN, value):
            raise ValueError(f"unknown source {value!r}; expected {_SOURCES_HELP}")
        return value

    @property
    def title(self) -> str:
        """The label, or the name made readable."""
        return self.label or self.name.replace("_", " ").capitalize()


class Engagement(_Strict):
    """When a ticket warrants this vendor; every condition given must hold (lists: any)."""

    error_codes: list[str] = Field(
        default_factory=list, description="Codes the ticket carries; a trailing * is a prefix."
    )
    device_types: list[str] = Field(
        default_factory=list, description="Values of the ticket's `device_type` label."
    )
    worked_by: dict[str, Duration] = Field(
        default_factory=dict, description="Only after this tier has had the ticket this long."
    )
    contract_required: bool = Field(
        default=True, description="Only for clients with an account at the vendor."
    )

    def matches_error_code(self, codes: list[str]) -> bool:
        """Whether one of `codes` is among the configured ones (no list: any ticket)."""
        if not self.error_codes:
            return True
        return any(_code_matches(wanted, code) for wanted in self.error_codes for code in codes)


def _code_matches(wanted: str, code: str) -> bool:
    if wanted.endswith("*"):
        return code.casefold().startswith(wanted[:-1].casefold())
    return code.casefold() == wanted.casefold()


class Vendor(_Strict):
    """An external vendor that can receive cases."""

    id: str = Field(min_length=1)
    name: str
    covers: list[str] = Field(
        default_factory=list, description="Products and services, e.g. m365, exchange-online."
    )
    support_email: str | None = None
    portal_url: str | None = None
    hotline: Hotline | None = None
    api: VendorApi | None = Field(default=None, description="The vendor's case API, if any.")
    account: dict[str, str] = Field(
        default_factory=dict, description="The MSP's ids at the vendor: partner id, contract."
    )
    channel: Literal["api", "email", "phone"] | None = Field(
        default=None,
        description="How cases open; unset: the API if there is one, else email if there is a "
        "support address, else phone (a task for a technician).",
    )
    escalation_levels: list[VendorEscalationLevel] = Field(
        default_factory=list,
        description="The vendor's own ladder; a case unresolved this long is chased up it.",
    )
    case_number_pattern: str | None = Field(
        default=None,
        description="Regular expression with one group finding the vendor's case number in its "
        "emailed replies (subject, then text); unset: 'case', 'ticket', 'incident', 'SR' or "
        "'request' followed by a number.",
    )
    requires: list[CaseField] = Field(default_factory=list)
    engage_when: Engagement | None = None
    commitment: VendorCommitment = Field(
        default_factory=VendorCommitment,
        description="The vendor's own SLA; clocks start when a case with it opens.",
    )
    last_reviewed: date | None = Field(
        default=None, description="When someone last checked this entry against the vendor."
    )

    @field_validator("case_number_pattern")
    @classmethod
    def _one_group(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            groups = re.compile(value).groups
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        if groups != 1:
            raise ValueError(f"needs exactly one group (the case number), has {groups}")
        return value

    @field_validator("escalation_levels")
    @classmethod
    def _ladder_in_order(cls, value: list[VendorEscalationLevel]) -> list[VendorEscalationLevel]:
        waits = [level.after for level in value]
        if waits != sorted(waits) or len(set(waits)) != len(waits):
            raise ValueError("levels must come in order of `after`, each later than the one before")
        return value

    @property
    def opening_channel(self) -> Literal["api", "email", "phone"] | None:
        """The channel cases open on (None: the entry has no way to reach the vendor)."""
        if self.channel is not None:
            return self.channel
        if self.api is not None:
            return "api"
        if self.support_email:
            return "email"
        return "phone" if self.hotline or self.portal_url else None

    def review_due(self, today: date, every: timedelta) -> bool:
        """Whether the entry was never reviewed, or not within `every` of `today`."""
        return self.last_reviewed is None or today - self.last_reviewed > every


def source_kind(source: str) -> str:
    """`ticket`, `client`, `vendor` or `technician`."""
    return source.partition(".")[0]
