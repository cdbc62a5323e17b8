"""Opening cases: ticket snapshots, and each case's key, channel, data, attempts and outcome.

Revision ID: vendor_gateway_0002
Revises: vendor_gateway_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "vendor_gateway_0002"
down_revision = "vendor_gateway_0001"

_TS = sa.DateTime(timezone=True)
_EMPTY_OBJECT = sa.text("'{}'::jsonb")
_EMPTY_LIST = sa.text("'[]'::jsonb")
_TEXT_COLUMNS = ("channel", "case_reference", "vendor_status", "last_error")
_TIME_COLUMNS = (
    "eligible_at",
    "ready_at",
    "next_attempt_at",
    "lease_until",
    "opened_at",
    "acknowledged_at",
    "resolved_at",
)


def upgrade() -> None:
    """Create ticket_snapshots; give vendor_cases what opening and tracking need."""
    op.create_table(
        "ticket_snapshots",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("device", sa.Text),
        sa.Column("reference", sa.Text),
        sa.Column("requester", sa.Text),
        sa.Column("error_codes", JSONB, nullable=False, server_default=_EMPTY_LIST),
        sa.Column("labels", JSONB, nullable=False, server_default=_EMPTY_OBJECT),
        sa.Column("opened_at", _TS),
        sa.Column("tier", sa.Text),
        sa.Column("tier_since", _TS),
        sa.Column("tier_held", JSONB, nullable=False, server_default=_EMPTY_OBJECT),
        sa.Column("assignee", sa.Text),
        sa.Column("resolved", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE vendor_cases SET status = 'waiting_ticket' WHERE status = 'requested'")
    key_default = sa.text("'VC-' || upper(substr(md5(random()::text), 1, 16))")
    op.add_column("vendor_cases", sa.Column("case_key", sa.Text, server_default=key_default))
    op.alter_column("vendor_cases", "case_key", nullable=False, server_default=None)
    op.create_unique_constraint("vendor_cases_case_key", "vendor_cases", ["case_key"])
    for name in _TEXT_COLUMNS:
        op.add_column("vendor_cases", sa.Column(name, sa.Text))
    op.add_column("vendor_cases", sa.Column("content", JSONB))
    op.add_column(
        "vendor_cases", sa.Column("supplied", JSONB, nullable=False, server_default=_EMPTY_OBJECT)
    )
    for name in ("missing", "blockers"):
        op.add_column(
            "vendor_cases", sa.Column(name, JSONB, nullable=False, server_default=_EMPTY_LIST)
        )
    op.add_column(
        "vendor_cases", sa.Column("attempts", sa.Integer, nullable=False, server_default="0")
    )
    op.add_column(
        "vendor_cases", sa.Column("unsure", sa.Boolean, nullable=False, server_default=sa.false())
    )
    for name in _TIME_COLUMNS:
        op.add_column("vendor_cases", sa.Column(name, _TS))
    op.add_column(
        "vendor_cases", sa.Column("updated_at", _TS, nullable=False, server_default=sa.func.now())
    )
    op.create_index(
        "vendor_cases_due",
        "vendor_cases",
        ["next_attempt_at"],
        postgresql_where=sa.text("status IN ('pending', 'sending')"),
    )
    op.create_index(
        "vendor_cases_eligible",
        "vendor_cases",
        ["eligible_at"],
        postgresql_where=sa.text("status = 'waiting_conditions'"),
    )
    op.create_index("vendor_cases_reference", "vendor_cases", ["vendor", "case_reference"])


def downgrade() -> None:
    """Drop what upgrade added."""
    for index in ("vendor_cases_reference", "vendor_cases_eligible", "vendor_cases_due"):
        op.drop_index(index, table_name="vendor_cases")
    op.drop_constraint("vendor_cases_case_key", "vendor_cases")
    added = ("case_key", *_TEXT_COLUMNS, "content", "supplied", "missing", "blockers")
    for name in (*added, "attempts", "unsure", *_TIME_COLUMNS, "updated_at"):
        op.drop_column("vendor_cases", name)
    op.drop_table("ticket_snapshots")
