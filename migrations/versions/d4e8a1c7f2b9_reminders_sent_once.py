"""reminders: one row per reminder sent (rule, subject, period, person), unique

Revision ID: d4e8a1c7f2b9
Revises: c39e2a1b4d5f
Create Date: 2026-11-30 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d4e8a1c7f2b9"
down_revision = "c39e2a1b4d5f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_message.id"],
            name=op.f("fk_reminder_outbox_message_id_outbox_message"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_reminder_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder")),
        sa.UniqueConstraint("rule", "subject_id", "period", "user_id", name="uq_reminder_once"),
    )
    op.create_index(op.f("ix_reminder_user_id"), "reminder", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_reminder_user_id"), table_name="reminder")
    op.drop_table("reminder")
