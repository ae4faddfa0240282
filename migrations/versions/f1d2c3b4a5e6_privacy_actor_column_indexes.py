"""privacy (issue 20): index the ACTOR columns of the large tables (release days, spending
items, application events ...), which the erasure preview, the erasure and the
subject-access copy search for a person; each was a full table scan per person

Revision ID: f1d2c3b4a5e6
Revises: e5a9c3d7b1f2
Create Date: 2026-11-30 08:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f1d2c3b4a5e6"
down_revision = "e5a9c3d7b1f2"
branch_labels = None
depends_on = None

INDEXES = {
    "user": ["access_confirmed_by_id"],
    "application_event": ["actor_id"],
    "backfill_entry": ["recorded_by_id"],
    "onboarding_tick": ["ticked_by_id"],
    "presentation_invitation": ["sent_by_id"],
    "receipt": ["uploaded_by_id"],
    "release_day": ["requested_by_id", "decided_by_id", "decided_for_id", "cancelled_by_id"],
    "spending_item": [
        "created_by_id",
        "submitted_by_id",
        "first_approver_id",
        "decided_by_id",
        "paid_by_id",
    ],
    "supervision_allocation": ["allocated_by_id", "ended_by_id"],
    "supervision_meeting": ["logged_by_id"],
    "workshop_attendance": ["marked_by_id"],
}


def upgrade():
    for table, columns in INDEXES.items():
        for column in columns:
            op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def downgrade():
    for table, columns in INDEXES.items():
        for column in columns:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
