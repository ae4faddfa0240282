"""Trigram indexes for the searches that match any part of a name or title (PostgreSQL)

The data protection person search (`lower(name) LIKE '%q%'`, `email LIKE '%q%'`) and the
showcase search (`lower(title)`, `lower(topic)`) read every row: 20,000 people and
lower() per row took ~15 ms at national scale, past every other cost of the page. A GIN
trigram index (pg_trgm, a trusted extension since PostgreSQL 13) answers such a LIKE
from the index. SQLite needs nothing: its scan is fast enough and it has no trigrams.

The indexes are not in the models (a SQLAlchemy Index cannot say gin_trgm_ops on an
expression portably): the schema comparison and autogenerate leave out names ending
in `_trgm` (migrations/env.py, include_name). Where the extension cannot be created,
the migration goes on without them: the searches work, only slower.

Revision ID: b8d4f0e6a2c1
Revises: a7c3e9d2b418
Create Date: 2026-11-30 09:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b8d4f0e6a2c1"
down_revision = "a7c3e9d2b418"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_user_name_trgm": ('"user"', "lower(name) gin_trgm_ops"),
    "ix_user_email_trgm": ('"user"', "email gin_trgm_ops"),
    "ix_award_output_title_trgm": ("award_output", "lower(title) gin_trgm_ops"),
    "ix_award_output_topic_trgm": ("award_output", "lower(topic) gin_trgm_ops"),
}


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        return  # not installed or not allowed: the searches still work, by a scan
    for name, (table, column) in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column})")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
