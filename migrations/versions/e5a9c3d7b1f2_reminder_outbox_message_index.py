"""reminders (issue 15): index reminder.outbox_message_id, which the outbox's check
before each delivery run joins on to find reminder emails still queued

Revision ID: e5a9c3d7b1f2
Revises: a671ffdd5ae3
Create Date: 2026-11-30 05:40:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e5a9c3d7b1f2"
down_revision = "a671ffdd5ae3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        op.f("ix_reminder_outbox_message_id"), "reminder", ["outbox_message_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_reminder_outbox_message_id"), table_name="reminder")
