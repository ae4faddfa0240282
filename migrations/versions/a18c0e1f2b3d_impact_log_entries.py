"""impact log: entries per award holder (category, date, reach, evidence), suggested by
the people around them and confirmed by the holder

Revision ID: a18c0e1f2b3d
Revises: b7ccc467b48c
Create Date: 2026-11-30 01:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a18c0e1f2b3d"
down_revision = "b7ccc467b48c"
branch_labels = None
depends_on = None

CATEGORIES = (
    "service",
    "tool",
    "policy",
    "training",
    "presentation",
    "publication",
    "funding",
    "collaboration",
    "promotion",
    "media",
)
REACHES = ("team", "authority", "other_authorities", "regional", "national", "international")


def upgrade():
    op.create_table(
        "impact_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(*CATEGORIES, name="category", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "reach", sa.Enum(*REACHES, name="reach", native_enum=False, length=24), nullable=False
        ),
        sa.Column("evidence_url", sa.String(length=500), nullable=True),
        sa.Column("evidence_file_id", sa.Integer(), nullable=True),
        sa.Column("evidence_filename", sa.String(length=120), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "suggested",
                "confirmed",
                "declined",
                name="entrystatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "evidence_file_id IS NULL OR evidence_filename IS NOT NULL",
            name=op.f("ck_impact_entry_file_has_name"),
        ),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["award.id"],
            name=op.f("fk_impact_entry_award_id_award"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_impact_entry_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_file_id"],
            ["stored_file.id"],
            name=op.f("fk_impact_entry_evidence_file_id_stored_file"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_entry")),
    )
    op.create_index(
        "ix_impact_entry_award_status", "impact_entry", ["award_id", "status"], unique=False
    )
    op.create_index(
        op.f("ix_impact_entry_created_by_id"), "impact_entry", ["created_by_id"], unique=False
    )
    op.create_index(
        op.f("ix_impact_entry_evidence_file_id"), "impact_entry", ["evidence_file_id"], unique=False
    )


def downgrade():
    op.drop_table("impact_entry")
