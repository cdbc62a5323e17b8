"""The `email` section of the configuration: mailboxes, threading, RMM alert mail, unhappy clients.

Intake reads it; the pure email logic lives in `escalator_intake.email`, and these models only
describe and validate what an operator writes in the YAML file.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from escalator_shared.config.durations import Duration
from escalator_shared.events.values import Severity

SUBJECT_GROUPS: Final = frozenset({"client", "device", "service", "state"})
FIELD_NAMES: Final = frozenset({"client", "device", "service", "state", "error_code", "time"})
_FLAGS: Final = re.IGNORECASE | re.MULTILINE


def compile_pattern(pattern: str, what: str = "") -> re.Pattern[str]:
    """`pattern` compiled case-insensitively, `^`/`$` at lines; ValueError naming `what`."""
    try:
        return re.compile(pattern, _FLAGS)
    except re.error as exc:
        raise ValueError(f"{what} is not a valid regular expression: {exc}") from exc


class EmailAlertPattern(BaseModel):
    """How one RMM's alert emails are recognised and read (all regexes case-insensitive).

    - `from_contains` / `from_regex`: select emails by their sender, matched against
      `Display Name <address>`; when both are set, both must match.
    - `subject_regex`: named groups among client, device, service and state.
    - `body_fields`: our field name (client, device, service, state, error_code, time) to a regex
      with one group, searched in the text body line by line (`^` and `$` match at lines).
      A body field wins over the same subject group.
    - `firing_states` / `resolved_states`: the RMM's state words (any case).
    - `severity_by_state`: state word (any case) to the raw severity the alert carries; states not
      listed carry the state word itself (lower-case).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    from_contains: str | None = Field(default=None, min_length=1)
    from_regex: str | None = Field(default=None, min_length=1)
    subject_regex: str | None = None
    body_fields: dict[str, str] = Field(default_factory=dict)
    firing_states: tuple[str, ...] = ()
    resolved_states: tuple[str, ...] = ()
    severity_by_state: dict[str, str] = Field(default_factory=dict)

    @field_validator("from_regex")
    @classmethod
    def _valid_from_regex(cls, value: str | None) -> str | None:
        if value is not None:
            compile_pattern(value, "from_regex")
        return value

    @field_validator("subject_regex")
    @classmethod
    def _valid_subject_regex(cls, value: str | None) -> str | None:
        if value is not None:
            unknown = set(compile_pattern(value, "subject_regex").groupindex) - SUBJECT_GROUPS
            if unknown:
                raise ValueError(
                    f"subject_regex has groups {sorted(unknown)}; "
                    f"allowed are {sorted(SUBJECT_GROUPS)}"
                )
        return value

    @field_validator("body_fields")
    @classmethod
    def _valid_body_fields(cls, value: dict[str, str]) -> dict[str, str]:
        for field, regex in value.items():
            if field not in FIELD_NAMES:
                raise ValueError(f"unknown body field {field!r}; known are {sorted(FIELD_NAMES)}")
            if compile_pattern(regex, f"body_fields.{field}").groups != 1:
                raise ValueError(f"body_fields.{field} needs exactly one group")
        return value

    @model_validator(mode="after")
    def _has_selector(self) -> EmailAlertPattern:
        if self.from_contains is None and self.from_regex is None:
            raise ValueError("a pattern needs from_contains or from_regex to select its emails")
        overlap = {s.casefold() for s in self.firing_states} & {
            s.casefold() for s in self.resolved_states
        }
        if overlap:
            raise ValueError(f"states both firing and resolved: {sorted(overlap)}")
        return self

    def selects(self, from_name: str, from_address: str | None) -> bool:
        """Whether this pattern's sender selector matches `Display Name <address>`."""
        sender = f"{from_name} <{from_address or ''}>"
        if self.from_contains is not None and self.from_contains.casefold() not in (
            sender.casefold()
        ):
            return False
        return self.from_regex is None or bool(compile_pattern(self.from_regex, "").search(sender))


class ImapMailbox(BaseModel):
    """A support mailbox intake polls over IMAP; each new message is stored, then flagged Seen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    port: int = Field(default=993, ge=1, le=65535)
    security: Literal["ssl", "starttls", "none"] = Field(
        default="ssl", description="ssl (port 993), starttls (143) or none (tests, localhost)."
    )
    username: str = Field(min_length=1)
    password: SecretStr
    mailbox: str = "INBOX"
    poll_every: Duration = Field(default=timedelta(seconds=30))


class Dissatisfaction(BaseModel):
    """When a customer's words flag their ticket for the router (see docs/email.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: float = Field(default=0.5, gt=0, le=1)
    phrases: dict[str, float] = Field(
        default_factory=dict,
        description="Extra phrases and their weights (0..1), added to the built-in list.",
    )
    use_default_phrases: bool = True

    @field_validator("phrases")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        for phrase, weight in value.items():
            if not phrase.strip():
                raise ValueError("a phrase must not be empty")
            if not 0 < weight <= 1:
                raise ValueError(f"the weight of {phrase!r} must be in (0, 1]")
        return value


class EmailIntake(BaseModel):
    """How inbound mail becomes tickets, notes and alerts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    own_message_id_domain: str = Field(
        default="escalator.invalid",
        min_length=1,
        description="Domain of the Message-IDs on our outgoing mail; mail with such an id is "
        "one of ours coming back and never opens a ticket.",
    )
    ticket_tag: str = Field(
        default=r"\[#?(TKT-\d+)\]",
        description="Regex finding a ticket reference in a subject; its one group is the "
        "reference.",
    )
    reopen_window: Duration = Field(
        default=timedelta(days=7),
        description="A customer reply this soon after resolve reopens the ticket; later ones "
        "open a follow-up ticket.",
    )
    request_severity: Severity = Field(
        default=Severity.MINOR, description="Severity of tickets opened from customers' emails."
    )
    unknown_sender_client: str | None = Field(
        default=None,
        description="Client of mail from domains no client lists; unset: kept as unmatched for "
        "an operator (GET /v1/emails?outcome=unmatched).",
    )
    max_message_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    rmm_patterns: list[EmailAlertPattern] = Field(
        default_factory=list, description="Alert emails of email-only RMMs, tried in order."
    )
    use_default_rmm_patterns: bool = Field(
        default=True, description="Also try the built-in N-central and Kaseya VSA patterns."
    )
    rmm_clients_by_value: dict[str, str] = Field(
        default_factory=dict,
        description="Client names as RMM emails write them to client ids; client ids and names "
        "match case-insensitively without an entry.",
    )
    dissatisfaction: Dissatisfaction = Field(default_factory=Dissatisfaction)
    imap: ImapMailbox | None = None

    @field_validator("ticket_tag")
    @classmethod
    def _one_group(cls, value: str) -> str:
        if compile_pattern(value, "ticket_tag").groups != 1:
            raise ValueError("ticket_tag needs exactly one group: the ticket reference")
        return value
