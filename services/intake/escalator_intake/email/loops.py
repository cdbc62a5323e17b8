"""What kind of mail a message is, so that robots never open or update tickets.

**Only `MailKind.NORMAL` may open or update a ticket.** Every other kind is recorded (or dropped)
by the caller and must never produce a ticket, a ticket comment or a reply: replying to an
auto-reply, a bounce or our own notification is how mail loops start.

The kinds, checked in this order (the first that applies wins):

- `bounce`: a multipart/report of type delivery-status, or a sender MAILER-DAEMON or postmaster.
- `our_own`: the message's own Message-ID is in our domain, i.e. one of our notifications came
  back to us (a forwarding rule, an alias that includes the helpdesk). See `classify` about
  In-Reply-To and References.
- `auto_reply`: Auto-Submitted other than "no", an X-Autoreply or X-Autorespond header,
  Precedence auto_reply, any other multipart/report (read receipts), or a subject starting like
  an out-of-office ("Automatic reply:", "Auto:", "Out of Office", and common translations).
- `bulk`: Precedence bulk, list or junk, or a List-Id header (newsletters, mailing lists).
- `bounce` again: an empty Return-Path (`<>`) without any of the signs above. Checked late because
  RFC 3834 asks auto-responders to send with an empty return path too.
- `normal`: everything else. RMM alert emails are normal even though they come from noreply
  addresses: a robot reporting a fault is exactly the mail we want.

X-Auto-Response-Suppress is parsed but not used: senders set it to ask *others* not to
auto-reply, and Exchange sets it on ordinary messages from applications.
"""

from __future__ import annotations

import re
from enum import StrEnum

from escalator_intake.email.message import InboundEmail

__all__ = ["MailKind", "classify", "is_own_id"]


class MailKind(StrEnum):
    """What a message is, for deciding whether it may act on tickets."""

    NORMAL = "normal"
    AUTO_REPLY = "auto_reply"
    BULK = "bulk"
    BOUNCE = "bounce"
    OUR_OWN = "our_own"


_BOUNCE_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster"})
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(?:"
    r"automatic\s+reply|auto(?:matic)?[-\s]?reply|autoreply|auto[-\s]?response|auto"
    r"|out\s+of\s+(?:the\s+)?office"
    r"|automatische\s+antwort|abwesenheitsnotiz"  # German
    r"|réponse\s+automatique|reponse\s+automatique"  # French
    r"|respuesta\s+automática|respuesta\s+automatica|fuera\s+de\s+la\s+oficina"  # Spanish
    r"|risposta\s+automatica|fuori\s+sede"  # Italian
    r"|resposta\s+automática|resposta\s+automatica"  # Portuguese
    r"|automatisch\s+antwoord"  # Dutch
    r"|automatiskt\s+svar|automatisk\s+svar|autosvar"  # Swedish, Danish, Norwegian
    r"|automatyczna\s+odpowiedź|automaattinen\s+vastaus"  # Polish, Finnish
    r")\s*:",
    re.IGNORECASE,
)
_OUT_OF_OFFICE_SUBJECT = re.compile(r"^\s*out\s+of\s+(?:the\s+)?office\b", re.IGNORECASE)


def classify(
    email: InboundEmail, own_message_id_domain: str, *, references_count_as_own: bool = False
) -> MailKind:
    """The kind of `email`; only `MailKind.NORMAL` may open or update tickets.

    `own_message_id_domain` is the domain of the Message-IDs we put on our outgoing mail (exactly
    that domain, see `is_own_id`). By default only the message's own Message-ID makes it `our_own`:
    a customer's reply to one of our notifications carries our id in In-Reply-To and References,
    and that is how replies find their ticket. With `references_count_as_own=True`, ids of our
    domain in In-Reply-To or References also make a message `our_own`: for mailboxes that receive
    nothing but robots (an alerts@ address), where any answer to our mail is a loop.
    """
    if _is_bounce_report(email) or _is_daemon_sender(email):
        return MailKind.BOUNCE
    if _is_our_own(email, own_message_id_domain, references_count_as_own):
        return MailKind.OUR_OWN
    if _is_auto_reply(email):
        return MailKind.AUTO_REPLY
    if _is_bulk(email):
        return MailKind.BULK
    if _empty_return_path(email):
        return MailKind.BOUNCE
    return MailKind.NORMAL


def is_own_id(message_id: str | None, own_domain: str) -> bool:
    """Whether `message_id` (with or without brackets) has exactly the domain `own_domain`.

    Subdomains do not count: an MSP's own RMM (ncentral.msp.example) mints ids below the MSP's
    domain, and its alerts are not our notifications. Give our outgoing mail a domain of its own
    for its Message-IDs (e.g. escalator.msp.example) and pass that.
    """
    domain = own_domain.strip().lstrip("@").rstrip(".").lower()
    if not message_id or not domain or "@" not in message_id:
        return False
    id_domain = message_id.strip().strip("<>").rsplit("@", 1)[1].rstrip(".").lower()
    return id_domain == domain


def _token(value: str | None) -> str:
    """A header's first word, lower-case: "auto-replied; owner=x" gives "auto-replied"."""
    return (value or "").split(";", 1)[0].strip().strip('"').lower()


def _is_bounce_report(email: InboundEmail) -> bool:
    return email.content_type == "multipart/report" and email.report_type == "delivery-status"


def _is_daemon_sender(email: InboundEmail) -> bool:
    local = (email.from_address or "").rsplit("@", 1)[0].lower()
    return local in _BOUNCE_LOCAL_PARTS or email.from_name.strip().lower() in _BOUNCE_LOCAL_PARTS


def _is_our_own(email: InboundEmail, domain: str, references_count: bool) -> bool:
    if is_own_id(email.message_id, domain):
        return True
    if not references_count:
        return False
    return is_own_id(email.in_reply_to, domain) or any(
        is_own_id(ref, domain) for ref in email.references
    )


def _is_auto_reply(email: InboundEmail) -> bool:
    auto_submitted = _token(email.auto_submitted)
    if auto_submitted and auto_submitted != "no":
        return True
    if email.x_autoreply is not None or email.x_autorespond is not None:
        return True
    if _token(email.precedence) == "auto_reply":
        return True
    if email.content_type == "multipart/report":  # read receipts and other machine reports
        return True
    subject = email.subject
    return bool(_AUTO_REPLY_SUBJECT.match(subject) or _OUT_OF_OFFICE_SUBJECT.match(subject))


def _is_bulk(email: InboundEmail) -> bool:
    return _token(email.precedence) in _BULK_PRECEDENCE or bool((email.list_id or "").strip())


def _empty_return_path(email: InboundEmail) -> bool:
    return email.return_path is not None and email.return_path.replace(" ", "") == "<>"
