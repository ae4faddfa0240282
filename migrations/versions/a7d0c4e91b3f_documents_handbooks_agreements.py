"""Documents: handbook sections, the rendered PDF cache, learning agreements with their
signatures, and managers' handbook receipts

Revision ID: a7d0c4e91b3f
Revises: d52547be9b12
Create Date: 2026-11-30 01:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a7d0c4e91b3f"
down_revision = "d52547be9b12"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "handbook_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("holder", "managers", name="handbookkind", native_enum=False, length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"], name=op.f("fk_handbook_section_cohort_id_cohort"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"], name=op.f("fk_handbook_section_updated_by_id_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handbook_section")),
    )
    op.create_index("ix_handbook_section_cohort_kind", "handbook_section", ["cohort_id", "kind", "position"], unique=False)

    op.create_table(
        "rendered_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Enum("rendering", "ready", "failed", name="renderstatus", native_enum=False, length=16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("rendered_at", sa.DateTime(), nullable=True),
        sa.Column("render_ms", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"], name=op.f("fk_rendered_document_file_id_stored_file"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rendered_document")),
        sa.UniqueConstraint("key", name=op.f("uq_rendered_document_key")),
    )
    op.create_index(op.f("ix_rendered_document_file_id"), "rendered_document", ["file_id"], unique=False)

    op.create_table(
        "learning_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("assistant_director_id", sa.Integer(), nullable=True),
        sa.Column("research_question", sa.Text(), nullable=False),
        sa.Column("study_day_pattern", sa.Text(), nullable=False),
        sa.Column("protection", sa.Text(), nullable=False),
        sa.Column("backfill_arrangements", sa.Text(), nullable=False),
        sa.Column("meeting_plan", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Enum("awaiting", "signed", name="agreementstatus", native_enum=False, length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("version > 0", name=op.f("ck_learning_agreement_version_positive")),
        sa.ForeignKeyConstraint(["assistant_director_id"], ["user.id"], name=op.f("fk_learning_agreement_assistant_director_id_user"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["award_id"], ["award.id"], name=op.f("fk_learning_agreement_award_id_award"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_agreement")),
        sa.UniqueConstraint("award_id", name=op.f("uq_learning_agreement_award_id")),
    )
    op.create_index(op.f("ix_learning_agreement_assistant_director_id"), "learning_agreement", ["assistant_director_id"], unique=False)

    op.create_table(
        "agreement_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("role", sa.Enum("holder", "line_manager", "assistant_director", name="signatoryrole", native_enum=False, length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("typed_name", sa.String(length=120), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.Column("void_reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["learning_agreement.id"], name=op.f("fk_agreement_signature_agreement_id_learning_agreement"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_agreement_signature_user_id_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_signature")),
        sa.UniqueConstraint("reference", name=op.f("uq_agreement_signature_reference")),
    )
    op.create_index(op.f("ix_agreement_signature_agreement_id"), "agreement_signature", ["agreement_id"], unique=False)
    op.create_index(op.f("ix_agreement_signature_user_id"), "agreement_signature", ["user_id"], unique=False)
    op.create_index(
        "uq_agreement_signature_live",
        "agreement_signature",
        ["agreement_id", "role"],
        unique=True,
        sqlite_where=sa.text("voided_at IS NULL"),
        postgresql_where=sa.text("voided_at IS NULL"),
    )

    op.create_table(
        "handbook_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["award_id"], ["award.id"], name=op.f("fk_handbook_receipt_award_id_award"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_handbook_receipt_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handbook_receipt")),
        sa.UniqueConstraint("award_id", "user_id", name=op.f("uq_handbook_receipt_award_id_user_id")),
    )
    op.create_index(op.f("ix_handbook_receipt_award_id"), "handbook_receipt", ["award_id"], unique=False)
    op.create_index(op.f("ix_handbook_receipt_user_id"), "handbook_receipt", ["user_id"], unique=False)


def downgrade():
    op.drop_table("handbook_receipt")
    op.drop_index("uq_agreement_signature_live", table_name="agreement_signature")
    op.drop_table("agreement_signature")
    op.drop_table("learning_agreement")
    op.drop_table("rendered_document")
    op.drop_index("ix_handbook_section_cohort_kind", table_name="handbook_section")
    op.drop_table("handbook_section")
