"""Reading and writing vendor cases (one row per ticket and vendor)."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, Update, bindparam, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_vendor_gateway.domain.case_plan import CaseStatus
from escalator_vendor_gateway.tables import vendor_cases


def new_case_key() -> str:
    """A case's stable key: Message-ID, Idempotency-Key, the vendor's external id."""
    return f"VC-{secrets.token_hex(8).upper()}"


@dataclass(frozen=True)
class Wanted:
    """A request for a case: who asked, and why."""

    ticket_id: str
    client_id: str
    vendor: str
    reason: str
    requested_by: str
    at: datetime

    def as_new_case(self) -> NewCase:
        """The case this request makes, with a fresh key."""
        return NewCase(
            self.ticket_id, self.client_id, self.vendor, self.reason, self.requested_by, self.at
        )


@dataclass(frozen=True)
class NewCase:
    """A case not stored yet, with the attributes a stored row has."""

    ticket_id: str
    client_id: str
    vendor: str
    reason: str
    requested_by: str
    requested_at: datetime
    case_key: str = field(default_factory=new_case_key)
    supplied: dict[str, str] = field(default_factory=dict)
    attempts: int = 0
    channel: str | None = None

    def row(self) -> dict[str, Any]:
        """The columns of its insert."""
        return {
            "ticket_id": self.ticket_id,
            "vendor": self.vendor,
            "client_id": self.client_id,
            "reason": self.reason,
            "requested_by": self.requested_by,
            "requested_at": self.requested_at,
            "case_key": self.case_key,
            "supplied": self.supplied,
            "missing": [],
            "blockers": [],
            "attempts": 0,
            "unsure": False,
            "updated_at": self.requested_at,
        }


_INSERT_CASE = insert(vendor_cases).on_conflict_do_nothing().returning(vendor_cases)


async def insert_prepared(
    session: AsyncSession, case: NewCase, values: dict[str, Any]
) -> Row[Any] | None:
    """Insert a case in its first state; None if the ticket has a case with the vendor."""
    row: Row[Any] | None = (await session.execute(_INSERT_CASE, {**case.row(), **values})).first()
    return row


async def insert_wanted(session: AsyncSession, wanted: Wanted) -> Row[Any] | None:
    """Record the case as waiting for its ticket; None if the ticket has one with the vendor."""
    values = {**wanted.as_new_case().row(), "status": CaseStatus.WAITING_TICKET.value}
    row: Row[Any] | None = (await session.execute(_INSERT_CASE, values)).first()
    return row


_BY_PK = (
    vendor_cases.c.ticket_id == bindparam("pk_ticket"),
    vendor_cases.c.vendor == bindparam("pk_vendor"),
)
_CASE_OF = select(vendor_cases).where(*_BY_PK)
_CASE_OF_LOCKED = _CASE_OF.with_for_update()


async def case_of(
    session: AsyncSession, ticket_id: str, vendor: str, *, lock: bool = False
) -> Row[Any] | None:
    """One case, locked for update if asked."""
    query = _CASE_OF_LOCKED if lock else _CASE_OF
    return (await session.execute(query, {"pk_ticket": ticket_id, "pk_vendor": vendor})).first()


@functools.cache
def _cases_of_ticket(statuses: frozenset[CaseStatus] | None) -> Select[Any]:
    query = select(vendor_cases).where(vendor_cases.c.ticket_id == bindparam("pk_ticket"))
    if statuses is not None:
        query = query.where(vendor_cases.c.status.in_(sorted(s.value for s in statuses)))
    return query.order_by(vendor_cases.c.vendor).with_for_update()


async def cases_of(
    session: AsyncSession, ticket_id: str, statuses: frozenset[CaseStatus] | None = None
) -> list[Row[Any]]:
    """A ticket's cases (in the given states), locked for update."""
    return list(await session.execute(_cases_of_ticket(statuses), {"pk_ticket": ticket_id}))


async def case_by_reference(session: AsyncSession, vendor: str, reference: str) -> Row[Any] | None:
    """The case the vendor knows by this number (or key), locked for update."""
    query = (
        select(vendor_cases)
        .where(
            vendor_cases.c.vendor == vendor,
            or_(vendor_cases.c.case_reference == reference, vendor_cases.c.case_key == reference),
        )
        .with_for_update()
    )
    return (await session.execute(query)).first()


@functools.cache
def _update(columns: tuple[str, ...]) -> Update:
    """One case's update of these columns (built once per set of columns)."""
    return (
        update(vendor_cases)
        .where(*_BY_PK)
        .values({name: bindparam(name) for name in columns})
        .returning(vendor_cases)
    )


async def change(session: AsyncSession, row: Any, **values: Any) -> Row[Any]:
    """Update one case; the row as stored now."""
    params = {"pk_ticket": row.ticket_id, "pk_vendor": row.vendor, **values}
    changed: Row[Any] = (await session.execute(_update(tuple(sorted(values))), params)).one()
    return changed


async def due_for_conditions(session: AsyncSession, now: datetime, limit: int) -> list[Row[Any]]:
    """Automatic cases whose tier conditions should hold by now (locked, skipping locked)."""
    query = (
        select(vendor_cases)
        .where(
            vendor_cases.c.status == CaseStatus.WAITING_CONDITIONS.value,
            vendor_cases.c.eligible_at <= now,
        )
        .order_by(vendor_cases.c.eligible_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(await session.execute(query))


_CLAIM = text(
    """
    UPDATE vendor_cases AS c
       SET status = 'sending',
           attempts = c.attempts + 1,
           lease_until = :lease_until,
           -- an attempt whose lease ran out may have reached the vendor
           unsure = c.unsure OR c.status = 'sending',
           updated_at = :now
      FROM (SELECT ticket_id, vendor FROM vendor_cases
             WHERE ((status = 'pending' AND next_attempt_at <= :now)
                    OR (status = 'sending' AND lease_until <= :now))
               AND NOT (vendor = ANY(:blocked))
             ORDER BY next_attempt_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED) AS due
     WHERE c.ticket_id = due.ticket_id AND c.vendor = due.vendor
    RETURNING c.*
    """
)


async def claim_due(
    session: AsyncSession, now: datetime, lease: timedelta, limit: int, blocked: list[str]
) -> list[Row[Any]]:
    """Take up to `limit` cases due to be sent, leased to this instance for `lease`."""
    result = await session.execute(
        _CLAIM, {"now": now, "lease_until": now + lease, "limit": limit, "blocked": blocked}
    )
    return list(result)


_MARK_OPENED = text(
    """
    UPDATE vendor_cases AS c
       SET status = 'open', case_reference = o.reference, opened_at = :now,
           lease_until = NULL, unsure = false, last_error = NULL, updated_at = :now
      FROM unnest(CAST(:tickets AS text[]), CAST(:vendors AS text[]), CAST(:attempts AS int[]),
                  CAST(:references AS text[])) AS o(ticket_id, vendor, attempts, reference)
     WHERE c.ticket_id = o.ticket_id AND c.vendor = o.vendor
       AND c.status = 'sending' AND c.attempts = o.attempts
    RETURNING c.ticket_id, c.vendor
    """
)


async def mark_opened(
    session: AsyncSession, opened: list[tuple[Row[Any], str]], now: datetime
) -> set[tuple[str, str]]:
    """Record cases the vendor has, each only if still in the attempt claimed (one statement);
    the (ticket, vendor) pairs recorded."""
    result = await session.execute(
        _MARK_OPENED,
        {
            "now": now,
            "tickets": [row.ticket_id for row, _ in opened],
            "vendors": [row.vendor for row, _ in opened],
            "attempts": [row.attempts for row, _ in opened],
            "references": [reference for _, reference in opened],
        },
    )
    return {(r.ticket_id, r.vendor) for r in result}


async def release(session: AsyncSession, row: Row[Any]) -> bool:
    """End this instance's lease on a claimed case; False if the case is no longer in the
    attempt it claimed (another instance took it over after the lease ran out)."""
    released = await session.execute(
        update(vendor_cases)
        .where(
            vendor_cases.c.ticket_id == row.ticket_id,
            vendor_cases.c.vendor == row.vendor,
            vendor_cases.c.status == CaseStatus.SENDING.value,
            vendor_cases.c.attempts == row.attempts,
        )
        .values(lease_until=None)
        .returning(vendor_cases.c.ticket_id)
    )
    return released.first() is not None


_CLAIM_FOR_STATUS = text(
    """
    UPDATE vendor_cases AS c
       SET polled_at = :now
      FROM (SELECT ticket_id, vendor FROM vendor_cases
             WHERE vendor = :vendor AND status IN ('open', 'acknowledged')
               AND case_reference IS NOT NULL AND case_reference <> case_key
               AND COALESCE(polled_at, opened_at) <= :asked_before
             ORDER BY COALESCE(polled_at, opened_at)
             LIMIT :limit
             FOR UPDATE SKIP LOCKED) AS due
     WHERE c.ticket_id = due.ticket_id AND c.vendor = due.vendor
    RETURNING c.*
    """
)


async def claim_for_status(
    session: AsyncSession, vendor: str, every: timedelta, now: datetime, limit: int
) -> list[Row[Any]]:
    """Open cases of `vendor` (known by the vendor's number) not asked about for `every`,
    marked asked now, so that other instances leave them until `every` has passed again."""
    result = await session.execute(
        _CLAIM_FOR_STATUS,
        {"vendor": vendor, "now": now, "asked_before": now - every, "limit": limit},
    )
    return list(result)


_CLAIM_FOR_CHASE = text(
    """
    UPDATE vendor_cases AS c
       SET chased_levels = :reached, updated_at = :now
      FROM (SELECT ticket_id, vendor FROM vendor_cases
             WHERE vendor = :vendor AND status IN ('open', 'acknowledged')
               AND chased_levels < :reached AND opened_at <= :opened_before
             ORDER BY opened_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED) AS due
     WHERE c.ticket_id = due.ticket_id AND c.vendor = due.vendor
    RETURNING c.*
    """
)


async def claim_for_chase(
    session: AsyncSession, vendor: str, level: int, after: timedelta, *, now: datetime, limit: int
) -> list[Row[Any]]:
    """Open cases of `vendor` unresolved for `after` that have not been chased to `level`
    (0-based) yet, marked chased to it in this transaction."""
    result = await session.execute(
        _CLAIM_FOR_CHASE,
        {
            "vendor": vendor,
            "reached": level + 1,
            "now": now,
            "opened_before": now - after,
            "limit": limit,
        },
    )
    return list(result)


def listing(ticket_id: str) -> Any:
    """The query of a ticket's cases for the API."""
    return (
        select(vendor_cases)
        .where(vendor_cases.c.ticket_id == ticket_id)
        .order_by(vendor_cases.c.requested_at)
    )
