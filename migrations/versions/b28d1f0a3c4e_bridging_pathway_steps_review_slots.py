"""bridging: alumni's pathway steps (fellowships, PhD, bids, research lead roles) and
pre-application review slots staff publish and alumni book

Revision ID: b28d1f0a3c4e
Revises: a18c0e1f2b3d
Create Date: 2026-11-30 01:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b28d1f0a3c4e"
down_revision = "a18c0e1f2b3d"
branch_labels = None
depends_on = None

KINDS = ("sparc", "plaf", "dlaf", "alaf", "phd", "bid", "lead")
STAGES = ("exploring", "preparing", "submitted", "awarded", "not_funded")


def upgrade():
    op.create_table(
        "pathway_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum(*KINDS, name="stepkind", native_enum=False, length=16), nullable=False
        ),
        sa.Column(
            "stage", sa.Enum(*STAGES, name="stage", native_enum=False, length=16), nullable=False
        ),
        sa.Column("mentor", sa.String(length=120), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("stage_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["award.id"],
            name=op.f("fk_pathway_step_award_id_award"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_step")),
    )
    op.create_index(op.f("ix_pathway_step_award_id"), "pathway_step", ["award_id"])
    op.create_index(op.f("ix_pathway_step_stage"), "pathway_step", ["stage"])
    op.create_table(
        "review_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=120), nullable=False),
        sa.Column("where", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("booked_award_id", sa.Integer(), nullable=True),
        sa.Column("booked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "minutes > 0 AND minutes <= 480", name=op.f("ck_review_slot_minutes_range")
        ),
        sa.ForeignKeyConstraint(
            ["booked_award_id"],
            ["award.id"],
            name=op.f("fk_review_slot_booked_award_id_award"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_review_slot_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_slot")),
    )
    op.create_index(op.f("ix_review_slot_booked_award_id"), "review_slot", ["booked_award_id"])
    op.create_index(op.f("ix_review_slot_starts_at"), "review_slot", ["starts_at"])


def downgrade():
    op.drop_table("review_slot")
    op.drop_table("pathway_step")
