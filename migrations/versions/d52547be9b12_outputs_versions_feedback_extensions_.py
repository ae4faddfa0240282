"""Outputs: the fourth output (one-page summary), statuses draft/changes requested/
accepted, showcase consent, cohort output types with guidance, versions, feedback,
due-date history, cohort showcase pages, and award.completed_at

Revision ID: d52547be9b12
Revises: 3fc2038c4e83
Create Date: 2026-11-30 00:53:07.697970

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d52547be9b12"
down_revision = "3fc2038c4e83"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("award_output", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("title", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("topic", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("showcase_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("contact_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("consent_changed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(), nullable=True))
        batch_op.create_index(
            "ix_award_output_showcase", ["showcase_consent", "status"], unique=False
        )
    # the old "in progress" is the new "draft"; old "submitted" outputs were never reviewed
    op.execute("UPDATE award_output SET status = 'draft' WHERE status = 'in_progress'")

    op.create_table(
        "output_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "poster",
                "presentation",
                "report",
                "summary",
                name="outputkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_output_type_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_output_type_updated_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_output_type")),
        sa.UniqueConstraint("cohort_id", "kind", name=op.f("uq_output_type_cohort_id_kind")),
    )
    with op.batch_alter_table("output_type", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_output_type_cohort_id"), ["cohort_id"], unique=False)

    op.create_table(
        "output_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("output_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("number > 0", name=op.f("ck_output_version_number_positive")),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_output_version_file_id_stored_file"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["output_id"],
            ["award_output.id"],
            name=op.f("fk_output_version_output_id_award_output"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user.id"],
            name=op.f("fk_output_version_uploaded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_output_version")),
        sa.UniqueConstraint("output_id", "number", name=op.f("uq_output_version_output_id_number")),
    )
    with op.batch_alter_table("output_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_output_version_file_id"), ["file_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_output_version_output_id"), ["output_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_output_version_uploaded_by_id"), ["uploaded_by_id"], unique=False
        )

    op.create_table(
        "output_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("output_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column(
            "decision",
            sa.Enum("comment", "changes", "accept", name="decision", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
            name=op.f("fk_output_feedback_author_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["output_id"],
            ["award_output.id"],
            name=op.f("fk_output_feedback_output_id_award_output"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["output_version.id"],
            name=op.f("fk_output_feedback_version_id_output_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_output_feedback")),
    )
    with op.batch_alter_table("output_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_output_feedback_output_id"), ["output_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_output_feedback_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "output_due_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("output_id", sa.Integer(), nullable=False),
        sa.Column("old_due", sa.Date(), nullable=True),
        sa.Column("new_due", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user.id"],
            name=op.f("fk_output_due_change_changed_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["output_id"],
            ["award_output.id"],
            name=op.f("fk_output_due_change_output_id_award_output"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_output_due_change")),
    )
    with op.batch_alter_table("output_due_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_output_due_change_output_id"), ["output_id"], unique=False
        )

    op.create_table(
        "showcase_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("introduction", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_showcase_page_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user.id"],
            name=op.f("fk_showcase_page_published_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_showcase_page")),
        sa.UniqueConstraint("cohort_id", name=op.f("uq_showcase_page_cohort_id")),
    )


def downgrade():
    op.drop_table("showcase_page")
    with op.batch_alter_table("output_due_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_output_due_change_output_id"))
    op.drop_table("output_due_change")
    with op.batch_alter_table("output_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_output_feedback_version_id"))
        batch_op.drop_index(batch_op.f("ix_output_feedback_output_id"))
    op.drop_table("output_feedback")
    with op.batch_alter_table("output_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_output_version_uploaded_by_id"))
        batch_op.drop_index(batch_op.f("ix_output_version_output_id"))
        batch_op.drop_index(batch_op.f("ix_output_version_file_id"))
    op.drop_table("output_version")
    with op.batch_alter_table("output_type", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_output_type_cohort_id"))
    op.drop_table("output_type")
    op.execute("UPDATE award_output SET status = 'in_progress' WHERE status = 'draft'")
    with op.batch_alter_table("award_output", schema=None) as batch_op:
        batch_op.drop_index("ix_award_output_showcase")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("consent_changed_at")
        batch_op.drop_column("contact_consent")
        batch_op.drop_column("showcase_consent")
        batch_op.drop_column("topic")
        batch_op.drop_column("title")
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.drop_column("completed_at")
