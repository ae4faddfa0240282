"""reminders: title, digest, skip reason and read state; per-cohort on/off; preferences

Revision ID: f7c2d9a4e1b8
Revises: d4e8a1c7f2b9
Create Date: 2026-11-30 04:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f7c2d9a4e1b8"
down_revision = "d4e8a1c7f2b9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reminder") as batch:
        batch.add_column(sa.Column("title", sa.String(length=300), server_default="", nullable=False))
        batch.add_column(
            sa.Column("digest", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("digest_message_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("skip_reason", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("read_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_reminder_digest_message_id_outbox_message"),
            "outbox_message",
            ["digest_message_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_reminder_rule_created", ["rule", "created_at"], unique=False)
    op.create_table(
        "reminder_cohort_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_reminder_cohort_setting_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_reminder_cohort_setting_updated_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_cohort_setting")),
        sa.UniqueConstraint("cohort_id", "kind", name="uq_reminder_cohort_kind"),
    )
    op.create_table(
        "reminder_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("weekly_digest", sa.Boolean(), nullable=False),
        sa.Column("muted", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_reminder_preference_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reminder_preference")),
    )


def downgrade():
    op.drop_table("reminder_preference")
    op.drop_table("reminder_cohort_setting")
    with op.batch_alter_table("reminder") as batch:
        batch.drop_index("ix_reminder_rule_created")
        batch.drop_constraint(
            batch.f("fk_reminder_digest_message_id_outbox_message"), type_="foreignkey"
        )
        batch.drop_column("read_at")
        batch.drop_column("skip_reason")
        batch.drop_column("digest_message_id")
        batch.drop_column("digest")
        batch.drop_column("title")
