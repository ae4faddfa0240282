"""Clearing out stored files no record uses: a referenced file stays, an old orphan goes,
a fresh one (an upload in progress) stays; every foreign key to stored files is found,
whichever feature's model holds it."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from app.awards.models import Award
from app.core import storage
from app.core.db import utcnow
from app.core.roles import Role
from app.core.storage import StoredFile
from app.core.storage_cleanup import clear_orphaned_files, referencing_columns
from app.extensions import db
from app.money.models import Receipt
from app.settings import BASE_DIR
from tests._served_app import postgres_url
from tests.matrix.money import PDF, spending

OLD = timedelta(days=2)


def _stored(data: bytes, age: timedelta) -> int:
    stored = storage.put(data, "file.pdf")
    db.session.flush()
    stored.created_at = utcnow() - age
    return stored.id


def _age(file_id: int, age: timedelta) -> None:
    db.session.get(StoredFile, file_id).created_at = utcnow() - age


def _ids() -> set[int]:
    return set(db.session.scalars(select(StoredFile.id)))


def test_only_old_files_no_record_uses_are_removed(app, make):
    award = make.award(cohort=make.running_cohort())
    (item_id,) = spending(app, award.id, None, amounts=(1_000,))
    with app.test_request_context():
        used = db.session.scalar(select(Receipt.file_id).where(Receipt.item_id == item_id))
        _age(used, OLD)
        old_orphan = _stored(PDF + b"left behind", OLD)
        fresh_orphan = _stored(PDF + b"being uploaded", timedelta(hours=1))
        just_past = _stored(PDF + b"a day and a minute", timedelta(days=1, minutes=1))
        db.session.commit()
        assert clear_orphaned_files() == 2
        db.session.commit()
        assert _ids() == {used, fresh_orphan}
        assert old_orphan not in _ids() and just_past not in _ids()
        # nothing left to do: running it again removes nothing
        assert clear_orphaned_files() == 0


def test_a_backfill_invoice_keeps_its_document_and_the_command_reports(app, make):
    from app.accounts.models import User
    from app.money import backfill
    from app.money.models import BackfillKind

    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        entry = backfill.add_entry(
            a,
            db.session.get(User, staff.id),
            BackfillKind.INVOICE,
            "INV-1",
            a.cohort.programme_start,
            1_000,
            (PDF + b"invoice", "invoice.pdf", None),
        )
        db.session.flush()
        _age(entry.file_id, OLD)
        orphan = _stored(PDF + b"orphan", OLD)
        kept = entry.file_id
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["clear-orphaned-files"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 stored file(s)" in result.output
    with app.app_context():
        assert kept in _ids() and orphan not in _ids()
    # a grace period of under an hour is refused: uploads in progress are never touched
    result = app.test_cli_runner().invoke(args=["clear-orphaned-files", "--hours", "0"])
    assert result.exit_code != 0


def test_every_foreign_key_to_stored_files_is_found(app):
    """The columns found in the metadata are exactly the foreign keys the database holds,
    and exactly those written in the models' source: a model missing from the metadata
    (not imported) would make its files look unused."""
    found = {(c.table.name, c.name) for c in referencing_columns()}
    assert {("receipt", "file_id"), ("backfill_entry", "file_id")} <= found
    with app.app_context():
        inspector = inspect(db.engine)
        in_database = {
            (table, fk["constrained_columns"][0])
            for table in inspector.get_table_names()
            for fk in inspector.get_foreign_keys(table)
            if fk["referred_table"] == StoredFile.__tablename__
        }
    assert found == in_database
    in_source = sum(
        len(re.findall(r"ForeignKey\(\s*[\"']stored_file\.id[\"']", path.read_text()))
        for path in (BASE_DIR / "app").rglob("*.py")
    )
    assert len(found) == in_source


@pytest.mark.skipif(postgres_url() is None, reason="needs TEST_DATABASE_URL=postgresql...")
def test_a_file_a_record_takes_while_clearing_is_kept(app, make):
    """A receipt row for an old orphan is being written (not yet committed) when the
    clearing starts: the clearing waits for it, and then leaves that file alone."""
    award = make.award(cohort=make.running_cohort())
    (item_id,) = spending(app, award.id, None, amounts=(1_000,))
    with app.app_context():
        taken = _stored(PDF + b"about to be used", OLD)
        other = _stored(PDF + b"nobody's", OLD)
        db.session.commit()
    with app.app_context(), db.engine.connect() as writer:
        writer.execute(
            Receipt.__table__.insert().values(
                item_id=item_id, file_id=taken, filename="late.pdf", uploaded_at=utcnow()
            )
        )
        result: list = []

        def clear() -> None:
            with app.app_context():
                result.append(clear_orphaned_files())
                db.session.commit()

        worker = threading.Thread(target=clear)
        worker.start()
        time.sleep(1)
        writer.commit()
        worker.join(30)
    with app.app_context():
        assert result == [1]
        assert taken in _ids() and other not in _ids()


@pytest.mark.skipif(postgres_url() is None, reason="needs TEST_DATABASE_URL=postgresql...")
def test_an_old_file_uploaded_again_is_not_cleared_before_its_record_is_saved(app, make):
    """Storage is content-addressed: uploading a file stored long ago reuses its row. The
    clearing, running meanwhile, waits for the upload and then keeps the file."""
    award = make.award(cohort=make.running_cohort())
    (item_id,) = spending(app, award.id, None, amounts=(1_000,))
    data = PDF + b"stored long ago, uploaded again"
    with app.app_context():
        old = _stored(data, OLD)
        db.session.commit()
    result: list = []

    def clear() -> None:
        with app.app_context():
            result.append(clear_orphaned_files())
            db.session.commit()

    with app.test_request_context():
        again = storage.put(data, "again.pdf")
        assert again.id == old
        worker = threading.Thread(target=clear)
        worker.start()
        time.sleep(1)
        db.session.add(
            Receipt(item_id=item_id, file_id=again.id, filename="again.pdf", uploaded_at=utcnow())
        )
        db.session.commit()
    worker.join(30)
    with app.app_context():
        assert result == [0] and old in _ids()
