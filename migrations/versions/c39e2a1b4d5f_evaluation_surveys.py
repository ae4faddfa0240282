"""evaluation: cohort surveys, invitations (answered or not, no time) and responses
whose answers lead back to no one (random ids, no time, no invitation key)

Revision ID: c39e2a1b4d5f
Revises: b28d1f0a3c4e
Create Date: 2026-11-30 01:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c39e2a1b4d5f"
down_revision = "b28d1f0a3c4e"
branch_labels = None
depends_on = None

GROUPS = ("award_holder", "line_manager", "psw", "supervisor")


def upgrade():
    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("end", "follow_up", name="surveykind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("closes_on >= opens_on", name=op.f("ck_survey_closes_after_opening")),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_survey_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_survey_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
        sa.UniqueConstraint("cohort_id", "kind", name=op.f("uq_survey_cohort_id_kind")),
    )
    op.create_table(
        "survey_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "group", sa.Enum(*GROUPS, name="group", native_enum=False, length=16), nullable=False
        ),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_invitation_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_survey_invitation_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitation")),
        sa.UniqueConstraint(
            "survey_id",
            "user_id",
            "group",
            name=op.f("uq_survey_invitation_survey_id_user_id_group"),
        ),
    )
    op.create_index(
        op.f("ix_survey_invitation_user_id"), "survey_invitation", ["user_id"], unique=False
    )
    op.create_table(
        "survey_response",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column(
            "group", sa.Enum(*GROUPS, name="group", native_enum=False, length=16), nullable=False
        ),
        sa.Column("respondent_name", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_response_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
    )
    op.create_index(
        op.f("ix_survey_response_survey_id"), "survey_response", ["survey_id"], unique=False
    )
    op.create_table(
        "survey_answer",
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("question", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "score IS NULL OR (score >= 1 AND score <= 5)",
            name=op.f("ck_survey_answer_score_range"),
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_response.id"],
            name=op.f("fk_survey_answer_response_id_survey_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "question", name=op.f("pk_survey_answer")),
    )


def downgrade():
    op.drop_table("survey_answer")
    op.drop_table("survey_response")
    op.drop_table("survey_invitation")
    op.drop_table("survey")
