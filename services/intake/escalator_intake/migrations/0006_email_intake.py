"""Email intake: stored inbound mail, message ids that thread replies, ticket numbers, requesters.

Revision ID: intake_0006
Revises: intake_0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "intake_0006"
down_revision = "intake_0005"


def upgrade() -> None:
    """Create inbound_emails and email_threads; number every ticket; add the requester."""
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "inbound_emails",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("channel", sa.Text, nullable=False),
        # Where a poller found it (imap:<mailbox>/<uidvalidity>/<uid>): a message fetched twice
        # is stored once.
        sa.Column("source_ref", sa.Text, unique=True),
        sa.Column("received_at", ts, nullable=False),
        sa.Column("envelope_from", sa.Text),
        sa.Column("recipients", JSONB, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text),
        sa.Column("from_address", sa.Text),
        sa.Column("subject", sa.Text),
        sa.Column("outcome", sa.Text),
        sa.Column("detail", sa.Text),
        sa.Column("ticket_id", sa.Text),
        sa.Column("client_id", sa.Text),
        sa.Column("processed_at", ts),
    )
    op.create_index("inbound_emails_message_id", "inbound_emails", ["message_id"])
    op.create_index("inbound_emails_outcome", "inbound_emails", ["outcome", "received_at"])
    op.create_table(
        "email_threads",
        sa.Column("message_id", sa.Text, primary_key=True),
        sa.Column("ticket_id", sa.Text, nullable=False),
        sa.Column("direction", sa.Text, nullable=False),
        sa.Column("recorded_at", ts, nullable=False),
    )
    op.execute("CREATE SEQUENCE ticket_number_seq START WITH 1001")
    # A volatile default numbers the existing rows too.
    op.add_column(
        "tickets",
        sa.Column(
            "number",
            sa.BigInteger,
            nullable=False,
            server_default=sa.text("nextval('ticket_number_seq')"),
        ),
    )
    op.create_index("tickets_number", "tickets", ["number"], unique=True)
    op.add_column("tickets", sa.Column("requester", sa.Text))
