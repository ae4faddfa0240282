"""Release days: a partial index of approved and taken half-days per award

The at-risk ranking and the home page's at-risk count sum every award's approved and
taken half-days (oversight.pace_sql). Covered by (award_id, half_days) over those rows
only, the sums read no requested, declined or called-back entry and filter nothing:
about a third less work for the database at national scale.

Revision ID: a7c3e9d2b418
Revises: f1d2c3b4a5e6
Create Date: 2026-11-30 08:15:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e9d2b418"
down_revision = "f1d2c3b4a5e6"
branch_labels = None
depends_on = None

COMMITTED = sa.text("status IN ('approved', 'taken')")


def upgrade():
    with op.batch_alter_table("release_day", schema=None) as batch_op:
        batch_op.create_index(
            "ix_release_day_committed",
            ["award_id", "half_days"],
            unique=False,
            sqlite_where=COMMITTED,
            postgresql_where=COMMITTED,
        )


def downgrade():
    with op.batch_alter_table("release_day", schema=None) as batch_op:
        batch_op.drop_index("ix_release_day_committed")
