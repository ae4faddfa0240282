"""One live calendar address per person and calendar

Creating an address revokes the earlier one; the database now holds that rule too, so two
requests at the same moment cannot leave two live addresses. Any duplicates already there
keep only the newest live address.

Revision ID: c3a1f7d2e9b4
Revises: 5b5f359cfa9f
Create Date: 2026-11-22 09:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c3a1f7d2e9b4"
down_revision = "5b5f359cfa9f"
branch_labels = None
depends_on = None

LIVE = sa.text("revoked_at IS NULL")


def upgrade():
    op.execute(
        "UPDATE calendar_feed SET revoked_at = CURRENT_TIMESTAMP "
        "WHERE revoked_at IS NULL AND id NOT IN ("
        "SELECT max(id) FROM calendar_feed WHERE revoked_at IS NULL GROUP BY user_id, scope)"
    )
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.create_index(
            "uq_calendar_feed_live",
            ["user_id", "scope"],
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )


def downgrade():
    with op.batch_alter_table("calendar_feed", schema=None) as batch_op:
        batch_op.drop_index("uq_calendar_feed_live")
