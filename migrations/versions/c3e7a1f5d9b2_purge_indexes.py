"""Indexes for the retention purge's counts (issue 20)

The purge (daily, and on demand on the data protection page) counts the rows past their
period in the sign-in history, the known devices and the audit trail's network
addresses, and the unsuccessful applications past the period staff set. Each was a full
scan: 200,000 audit entries at national scale for the
addresses alone. Now each is a range scan of the rows past the period, which after the
daily purge are the day's few. The audit index is partial (entries that still hold an
address), so it stays small however long the trail grows.

Revision ID: c3e7a1f5d9b2
Revises: b8d4f0e6a2c1
Create Date: 2026-11-30 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c3e7a1f5d9b2"
down_revision = "b8d4f0e6a2c1"
branch_labels = None
depends_on = None

HOLDS_ADDRESS = sa.text("ip_address IS NOT NULL")
# app.applications.models.UNSUCCESSFUL_STATUSES when this was written
UNSUCCESSFUL = sa.text("status IN ('declined', 'psw_declined', 'withdrawn')")


def upgrade():
    op.create_index("ix_sign_in_event_at", "sign_in_event", ["at"])
    op.create_index("ix_known_device_last_seen_at", "known_device", ["last_seen_at"])
    op.create_index(
        "ix_audit_entry_ip_at",
        "audit_entry",
        ["at"],
        postgresql_where=HOLDS_ADDRESS,
        sqlite_where=HOLDS_ADDRESS,
    )
    op.create_index(
        "ix_application_unsuccessful_decided",
        "application",
        [sa.text("coalesce(decided_at, updated_at)")],
        postgresql_where=UNSUCCESSFUL,
        sqlite_where=UNSUCCESSFUL,
    )


def downgrade():
    op.drop_index("ix_application_unsuccessful_decided", table_name="application")
    op.drop_index("ix_audit_entry_ip_at", table_name="audit_entry")
    op.drop_index("ix_known_device_last_seen_at", table_name="known_device")
    op.drop_index("ix_sign_in_event_at", table_name="sign_in_event")
