"""The audit log: kept from the audit topic, read by admins (GET /v1/audit, JSON or CSV)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_intake.tables import audit_log
from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.events import StaffActionRecorded

COLUMNS = tuple(c.name for c in audit_log.c)


async def keep(event: StaffActionRecorded, ctx: HandlerContext) -> None:
    """One line per record (a redelivered record is the same line)."""
    row = {"event_id": ctx.envelope.event_id, **event.model_dump()}
    await ctx.uow.session.execute(insert(audit_log).values(row).on_conflict_do_nothing())


AUDIT_HANDLERS: HandlerRegistry = {StaffActionRecorded: [keep]}


@dataclass(frozen=True)
class AuditQuery:
    """Which lines: of a person, in a time range, newest first."""

    person: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 500


async def lines(session: AsyncSession, wanted: AuditQuery) -> list[dict[str, Any]]:
    """The matching lines, newest first."""
    query = select(audit_log).order_by(audit_log.c.at.desc()).limit(wanted.limit)
    if wanted.person is not None:
        query = query.where(audit_log.c.person == wanted.person)
    if wanted.since is not None:
        query = query.where(audit_log.c.at >= wanted.since)
    if wanted.until is not None:
        query = query.where(audit_log.c.at < wanted.until)
    return [dict(r._mapping) for r in await session.execute(query)]


def as_csv(found: list[dict[str, Any]]) -> str:
    """The lines as CSV with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for line in found:
        writer.writerow({**line, "at": line["at"].isoformat()})
    return out.getvalue()
