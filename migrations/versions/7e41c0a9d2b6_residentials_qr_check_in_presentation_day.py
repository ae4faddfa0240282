"""residentials: QR check-in and the presentation day (invitations, running order)

Revision ID: 7e41c0a9d2b6
Revises: a7d0c4e91b3f
Create Date: 2026-11-30 01:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7e41c0a9d2b6"
down_revision = "a7d0c4e91b3f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workshop_attendance", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("by_qr", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    op.create_table(
        "presentation_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "published", name="programmestatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_presentation_day_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user.id"],
            name=op.f("fk_presentation_day_published_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presentation_day")),
        sa.UniqueConstraint("cohort_id", name=op.f("uq_presentation_day_cohort_id")),
    )
    op.create_table(
        "presentation_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_presentation_slot_times_in_order")),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["award.id"],
            name=op.f("fk_presentation_slot_award_id_award"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["day_id"],
            ["presentation_day.id"],
            name=op.f("fk_presentation_slot_day_id_presentation_day"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presentation_slot")),
        sa.UniqueConstraint("day_id", "award_id", name=op.f("uq_presentation_slot_day_id_award_id")),
    )
    with op.batch_alter_table("presentation_slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_presentation_slot_award_id"), ["award_id"])
        batch_op.create_index(batch_op.f("ix_presentation_slot_day_id"), ["day_id"])

    op.create_table(
        "presentation_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("invitee_id", sa.Integer(), nullable=False),
        sa.Column("about", sa.String(length=500), nullable=False),
        sa.Column(
            "reply",
            sa.Enum(
                "waiting", "attending", "not_attending", name="reply", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("reply_count", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "reply_count >= 0", name=op.f("ck_presentation_invitation_reply_count_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_presentation_invitation_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitee_id"],
            ["user.id"],
            name=op.f("fk_presentation_invitation_invitee_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["user.id"],
            name=op.f("fk_presentation_invitation_sent_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presentation_invitation")),
        sa.UniqueConstraint(
            "cohort_id", "invitee_id", name=op.f("uq_presentation_invitation_cohort_id_invitee_id")
        ),
    )
    with op.batch_alter_table("presentation_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_presentation_invitation_cohort_id"), ["cohort_id"])
        batch_op.create_index(batch_op.f("ix_presentation_invitation_invitee_id"), ["invitee_id"])


def downgrade():
    op.drop_table("presentation_invitation")
    op.drop_table("presentation_slot")
    op.drop_table("presentation_day")
    with op.batch_alter_table("workshop_attendance", schema=None) as batch_op:
        batch_op.drop_column("by_qr")
