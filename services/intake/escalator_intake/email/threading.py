"""Which ticket an email answers.

Two ways, tried by the caller in this order:

1. `ticket_reference`: the ticket tag we put in the subjects of our mail, e.g. `[TKT-1042]`.
   Mail clients keep subjects on reply, so this survives clients that drop threading headers.
2. `thread_ids`: the ids in In-Reply-To and References, which the caller looks up against the
   Message-IDs it recorded: of the inbound mail that opened or updated a ticket, and of our own
   mail about a ticket (acknowledgements, customer updates, pages, vendor case emails), so a
   reply whose subject lost its tag still finds its ticket.

Neither says whether the sender may touch that ticket; `sender_domain` helps the caller check
the sender against the ticket's client.
"""

from __future__ import annotations

import re

from escalator_intake.email.message import InboundEmail

__all__ = ["DEFAULT_TAG_PATTERN", "compile_tag_pattern", "sender_domain", "thread_ids"]

# `[TKT-1042]` or `[#TKT-1042]` give `TKT-1042`.
DEFAULT_TAG_PATTERN = r"\[#?(TKT-\d+)\]"


def compile_tag_pattern(pattern: str | re.Pattern[str]) -> re.Pattern[str]:
    """The compiled tag pattern; ValueError unless it has exactly one group (the reference)."""
    compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
    if compiled.groups != 1:
        raise ValueError(
            f"a ticket tag pattern needs exactly one group, {compiled.pattern!r} "
            f"has {compiled.groups}"
        )
    return compiled


def ticket_reference(
    email: InboundEmail, tag_pattern: str | re.Pattern[str] = DEFAULT_TAG_PATTERN
) -> str | None:
    """The ticket reference tagged in the subject (the pattern's group), else None."""
    match = compile_tag_pattern(tag_pattern).search(email.subject)
    if match is None:
        return None
    found = match.group(1)
    return found.strip() or None if found else None


def thread_ids(email: InboundEmail) -> list[str]:
    """In-Reply-To, then References newest first, without duplicates (ids without brackets).

    References lists a thread oldest first; its newest known id is the closest message we know
    (a follow-up ticket's mail, rather than the closed ticket the thread began on).
    """
    ids: dict[str, None] = {}
    if email.in_reply_to:
        ids[email.in_reply_to] = None
    for ref in reversed(email.references):
        ids.setdefault(ref, None)
    return list(ids)


def sender_domain(email: InboundEmail) -> str:
    """The From address's domain, lower-case; "" when there is no usable address."""
    address = email.from_address or ""
    if "@" not in address:
        return ""
    return address.rsplit("@", 1)[1].strip().strip(">").rstrip(".").lower()
