"""Indexes for the pages at national scale

Found by reading each main page's queries against the national data set (bench/):
- audit_entry (at, id): the log is read newest first with id as the tie-break;
- cohort (programme_start, programme_end): "cohorts in their programme year today";
- release_day (award_id, status, kind, half_days): balances and pace sum half-days per
  award, status and kind; covering the sum means no table reads (the at-risk ranking
  halved). It replaces (award_id, status), which it extends;
- user (name, id): the people list, A to Z, without sorting 20,000 rows;
- user, partial: people invited by an applicant whose roles staff have not confirmed;
- sign_off (employer_id, signed_at, id): a PSW's sign-offs for their authority, newest first.

Revision ID: 5b5f359cfa9f
Revises: bf75426e99d9
Create Date: 2026-11-22 07:55:14.984227
"""

import sqlalchemy as sa
from alembic import op

revision = "5b5f359cfa9f"
down_revision = "bf75426e99d9"
branch_labels = None
depends_on = None

UNCONFIRMED = sa.text("invited_by_id IS NOT NULL AND access_confirmed_by_id IS NULL")


def upgrade():
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_at")
        batch_op.create_index("ix_audit_entry_at_id", ["at", "id"], unique=False)

    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cohort_programme", ["programme_start", "programme_end"], unique=False
        )

    with op.batch_alter_table("release_day", schema=None) as batch_op:
        batch_op.drop_index("ix_release_day_award_status")
        batch_op.create_index(
            "ix_release_day_award_sums",
            ["award_id", "status", "kind", "half_days"],
            unique=False,
        )

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index("ix_user_name", ["name", "id"], unique=False)
        batch_op.create_index(
            "ix_user_unconfirmed",
            ["id"],
            unique=False,
            sqlite_where=UNCONFIRMED,
            postgresql_where=UNCONFIRMED,
        )

    with op.batch_alter_table("sign_off", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sign_off_employer_signed", ["employer_id", "signed_at", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("sign_off", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_off_employer_signed")

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index("ix_user_unconfirmed")
        batch_op.drop_index("ix_user_name")

    with op.batch_alter_table("release_day", schema=None) as batch_op:
        batch_op.drop_index("ix_release_day_award_sums")
        batch_op.create_index("ix_release_day_award_status", ["award_id", "status"], unique=False)

    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.drop_index("ix_cohort_programme")

    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_at_id")
        batch_op.create_index("ix_audit_entry_at", ["at"], unique=False)
