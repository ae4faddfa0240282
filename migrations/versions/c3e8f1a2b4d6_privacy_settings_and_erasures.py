"""privacy: retention periods staff set; erasures (identity held under the money hold)

Revision ID: c3e8f1a2b4d6
Revises: f7c2d9a4e1b8
Create Date: 2026-11-30 04:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c3e8f1a2b4d6"
down_revision = "f7c2d9a4e1b8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_setting",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_privacy_setting_updated_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_privacy_setting")),
    )
    op.create_table(
        "privacy_erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.Column("erased_by_id", sa.Integer(), nullable=True),
        sa.Column("held_until", sa.Date(), nullable=True),
        sa.Column("held_name", sa.String(length=200), nullable=True),
        sa.Column("held_email", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_privacy_erasure_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["erased_by_id"],
            ["user.id"],
            name=op.f("fk_privacy_erasure_erased_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_erasure")),
    )
    with op.batch_alter_table("privacy_erasure") as batch:
        batch.create_index(batch.f("ix_privacy_erasure_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("privacy_erasure") as batch:
        batch.drop_index(batch.f("ix_privacy_erasure_user_id"))
    op.drop_table("privacy_erasure")
    op.drop_table("privacy_setting")
