"""Several OS processes writing through the app's own engine at the same time.

Each process builds the app with `create_app` (so it gets the configured engine:
on SQLite WAL, a 30 s busy timeout and BEGIN IMMEDIATE on every transaction) and
does read-modify-write increments of one counter row, one transaction each:
SELECT the value, UPDATE it to value + 1, COMMIT. If two processes could read the
same value, an increment would be lost; if a writer were refused rather than
queued, a process would see "database is locked". Neither may happen.

On PostgreSQL the same workload runs with SELECT ... FOR UPDATE (PostgreSQL's way
of taking the row lock at the read) in a database of its own.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sqlite3
import traceback

import pytest
from sqlalchemy import text

from tests._served_app import build_app, postgres_url, scratch_database

PROCESSES = 4
INCREMENTS = 50
READ = "SELECT value FROM counter WHERE id = 1"
READ_FOR_UPDATE = READ + " FOR UPDATE"


def _increment_worker(db_url: str, instance_path: str, increments: int, for_update: bool,
                      start, results) -> None:
    """Runs in a spawned process: `increments` separate read-modify-write transactions."""
    errors: list[str] = []
    done = 0
    try:
        os.environ["INSTANCE_PATH"] = instance_path
        app = build_app(db_url)
        from app.extensions import db

        read = READ_FOR_UPDATE if for_update else READ
        with app.app_context():
            start.wait(timeout=60)  # every process starts writing at the same moment
            for _ in range(increments):
                try:
                    value = db.session.execute(text(read)).scalar_one()
                    db.session.execute(
                        text("UPDATE counter SET value = :v WHERE id = 1"), {"v": value + 1}
                    )
                    db.session.commit()
                    done += 1
                except Exception as exc:  # noqa: BLE001 - reported to the test, which fails
                    db.session.rollback()
                    errors.append(f"{type(exc).__name__}: {exc}")
            db.session.remove()
            db.engine.dispose()
    except Exception:  # noqa: BLE001
        errors.append(traceback.format_exc())
    results.put((os.getpid(), done, errors))


def _run_increments(db_url: str, instance_path: str, for_update: bool) -> tuple[int, list]:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=_increment_worker,
            args=(db_url, instance_path, INCREMENTS, for_update, start, results),
        )
        for _ in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    reports = []
    try:
        for _ in procs:
            reports.append(results.get(timeout=60))
    except queue.Empty:
        pytest.fail(f"only {len(reports)} of {PROCESSES} processes reported within 60 s")
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
                p.join()
        results.close()
        results.join_thread()
    return sum(done for _, done, _ in reports), reports


@pytest.fixture
def counter_db(tmp_path, monkeypatch):
    """A scratch database with one counter row at 0; yields its URL."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    with scratch_database(tmp_path, "concurrency") as url:
        app = build_app(url)
        from app.extensions import db

        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)"))
                conn.execute(text("INSERT INTO counter (id, value) VALUES (1, 0)"))
            db.engine.dispose()
        yield url, app


def _final_value(app) -> int:
    from app.extensions import db

    with app.app_context():
        value = db.session.execute(text("SELECT value FROM counter WHERE id = 1")).scalar_one()
        db.session.remove()
        db.engine.dispose()
    return value


@pytest.mark.sqlite_only
@pytest.mark.skipif(postgres_url() is not None, reason="SQLite test; PostgreSQL has its own")
def test_sqlite_under_several_processes_loses_no_update(counter_db, tmp_path):
    url, app = counter_db
    done, reports = _run_increments(url, str(tmp_path / "instance"), for_update=False)

    errors = [e for _, _, errs in reports for e in errs]
    assert not [e for e in errors if "database is locked" in e], errors
    assert not errors
    assert len({pid for pid, _, _ in reports}) == PROCESSES
    assert done == PROCESSES * INCREMENTS
    assert _final_value(app) == PROCESSES * INCREMENTS


@pytest.mark.skipif(postgres_url() is None, reason="needs TEST_DATABASE_URL=postgresql...")
def test_postgresql_under_several_processes_loses_no_update(counter_db, tmp_path):
    url, app = counter_db
    done, reports = _run_increments(url, str(tmp_path / "instance"), for_update=True)

    errors = [e for _, _, errs in reports for e in errs]
    assert not errors
    assert len({pid for pid, _, _ in reports}) == PROCESSES
    assert done == PROCESSES * INCREMENTS
    assert _final_value(app) == PROCESSES * INCREMENTS


@pytest.mark.sqlite_only
@pytest.mark.skipif(postgres_url() is not None, reason="about SQLite's own locking")
def test_control_deferred_transactions_fail_where_begin_immediate_waits(tmp_path):
    """Why the app issues BEGIN IMMEDIATE: pysqlite's lazy (deferred) BEGIN lets two
    connections read the same value; the second writer then cannot commit its stale
    read and SQLite answers "database is locked" at once, busy timeout or not.

    Deterministic: one thread, two raw connections, a fixed interleaving.
    """
    path = tmp_path / "control.db"
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)")
    setup.execute("INSERT INTO counter VALUES (1, 0)")
    setup.close()

    a = sqlite3.connect(path, isolation_level=None, timeout=0.2)
    b = sqlite3.connect(path, isolation_level=None, timeout=0.2)
    try:
        a.execute("BEGIN")
        b.execute("BEGIN")
        read_a = a.execute("SELECT value FROM counter WHERE id = 1").fetchone()[0]
        read_b = b.execute("SELECT value FROM counter WHERE id = 1").fetchone()[0]
        assert read_a == read_b == 0  # both hold the same value: the lost-update set-up
        a.execute("UPDATE counter SET value = ? WHERE id = 1", (read_a + 1,))
        a.execute("COMMIT")
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            b.execute("UPDATE counter SET value = ? WHERE id = 1", (read_b + 1,))
        b.execute("ROLLBACK")

        # With BEGIN IMMEDIATE the second transaction cannot start while the first
        # holds the write lock, so it never reads a value that is about to change.
        a.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            b.execute("BEGIN IMMEDIATE")  # would wait out the busy timeout, then give up
        a.execute("COMMIT")
        b.execute("BEGIN IMMEDIATE")
        assert b.execute("SELECT value FROM counter WHERE id = 1").fetchone()[0] == 1
        b.execute("COMMIT")
    finally:
        a.close()
        b.close()
