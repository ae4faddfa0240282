"""supervision: onboarding checklist ticks (one row per award holder and item)

Revision ID: 3fc2038c4e83
Revises: 8c69b9da15f3
Create Date: 2026-11-30 00:55:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3fc2038c4e83"
down_revision = "8c69b9da15f3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "onboarding_tick",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column(
            "item",
            sa.Enum(
                "library_requested",
                "library_granted",
                "learning_agreement",
                "handbook",
                "backfill",
                name="onboardingitem",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("ticked_by_id", sa.Integer(), nullable=True),
        sa.Column("ticked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["award.id"],
            name=op.f("fk_onboarding_tick_award_id_award"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticked_by_id"],
            ["user.id"],
            name=op.f("fk_onboarding_tick_ticked_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_tick")),
        sa.UniqueConstraint("award_id", "item", name=op.f("uq_onboarding_tick_award_id_item")),
    )
    with op.batch_alter_table("onboarding_tick", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_onboarding_tick_award_id"), ["award_id"], unique=False)


def downgrade():
    with op.batch_alter_table("onboarding_tick", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_onboarding_tick_award_id"))
    op.drop_table("onboarding_tick")
