"""Clearing out stored files that no record uses.

A file is stored in the same transaction as the record that owns it, so a crash leaves
nothing behind; but a record deleted later (or a file stored by one request for another
to claim) can leave a file no row points at. `clear_orphaned_files` deletes those.

Which rows count as "using" a file is read from the SQLAlchemy metadata: every foreign
key to the stored-file table, in every model (receipts, backfill invoices, outputs,
documents, and whatever is added later), without a list here to keep up to date. Only
files older than a grace period go, so an upload still being worked on is never
removed; and the foreign keys (ON DELETE RESTRICT) stay the last word: a file a record
took meanwhile is left in place.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta

from sqlalchemy import Column, delete, exists, select
from sqlalchemy.exc import IntegrityError

from app.core.db import utcnow
from app.core.storage import StoredFile
from app.extensions import db

DEFAULT_GRACE = timedelta(days=1)
BATCH = 500


def referencing_columns() -> list[Column]:
    """Every column, in every table the app defines, that is a foreign key to a stored
    file (sorted by table and column name)."""
    import app.models  # noqa: F401  (every model: the whole schema is in the metadata)

    target = StoredFile.__table__
    columns = [
        fk.parent
        for table in db.Model.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table is target
    ]
    return sorted(columns, key=lambda c: (c.table.name, c.name))


def _unused(cutoff: datetime):
    """The condition: stored before `cutoff` and pointed at by no row."""
    conditions = [StoredFile.created_at < cutoff]
    conditions += [~exists().where(col == StoredFile.id) for col in referencing_columns()]
    return conditions


def orphaned_ids(cutoff: datetime) -> list[int]:
    return list(db.session.scalars(select(StoredFile.id).where(*_unused(cutoff))))


def clear_orphaned_files(grace: timedelta = DEFAULT_GRACE, now: datetime | None = None) -> int:
    """Delete stored files older than `grace` that no row references; return how many.
    The caller commits."""
    cutoff = (now or utcnow()) - grace
    ids = orphaned_ids(cutoff)
    removed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        try:
            removed += _delete(chunk, cutoff)
        except IntegrityError:
            # a record took one of these files since the search: go one by one
            for file_id in chunk:
                with suppress(IntegrityError):
                    removed += _delete([file_id], cutoff)
    return removed


def _delete(ids: list[int], cutoff: datetime) -> int:
    """Delete these files if still unused (checked again in the statement itself), in a
    savepoint so a refusal undoes only this step."""
    with db.session.begin_nested():
        result = db.session.execute(
            delete(StoredFile)
            .where(StoredFile.id.in_(ids), *_unused(cutoff))
            .execution_options(synchronize_session=False)
        )
    return result.rowcount or 0
