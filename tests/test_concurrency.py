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
import threading
import traceback

import pytest
from sqlalchemy import text

from tests._served_app import build_app, postgres_url, scratch_database

PROCESSES = 4
INCREMENTS = 50
READ = "SELECT value FROM counter WHERE id = 1"
READ_FOR_UPDATE = READ + " FOR UPDATE"


def _increment_worker(
    db_url: str, instance_path: str, increments: int, for_update: bool, start, results
) -> None:
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


# Status changes under parallel requests (app/core/state.py) ------------------------------
#
# Threads in this process, each with its own test client, so each request has its own
# session and database connection: on PostgreSQL the row lock decides who goes first, on
# SQLite BEGIN IMMEDIATE does. The others must be told, change nothing, and send nothing.

PARALLEL = 20


def _signed_in(browser_factory, email: str, n: int, token_from: str) -> tuple[list, str]:
    """`n` browsers sharing one signed-in session (one sign-in: the throttle counts them),
    and the CSRF token of the page at `token_from`, which all of them can send."""
    first = browser_factory()
    first.sign_in(email)
    token = first.token(token_from)  # before the copy: the session holds the CSRF secret
    cookie = first.client.get_cookie("prp_session").value
    others = [browser_factory() for _ in range(n - 1)]
    for b in others:
        b.client.set_cookie("prp_session", cookie)
    return [first, *others], token


def _at_once(calls: list) -> list:
    """Run every call at the same moment, each in its own thread; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait(timeout=60)
        try:
            results[i] = call()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request never finished"
    return results


@pytest.fixture
def requested_days(make, app):
    """Five requested study days of one award: (day ids, holder, manager)."""
    from datetime import timedelta

    from app.accounts.models import User
    from app.awards.models import Award
    from app.core.clock import today
    from app.core.roles import Role
    from app.core.workdays import non_working_reason
    from app.extensions import db
    from app.release import services

    employer = make.org()
    manager = make.user(Role.LINE_MANAGER, orgs=[employer], name="Sam Manager")
    holder = make.user(Role.APPLICANT, orgs=[employer], name="Ann Smith")
    award = make.award(
        cohort=make.running_cohort(), employer=employer, holder=holder, manager=manager
    )
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        d, days = today() + timedelta(days=20), []
        while len(days) < 5:
            if not non_working_reason(d, a.employer.nation):
                days.append(d)
            d += timedelta(days=1)
        rows, _ = services.request_days(
            a, db.session.get(User, holder.id), days, half_day=False, note="", today=today()
        )
        db.session.commit()
        return [r.id for r in rows], holder, manager


def _counts(app, day_id: int, holder_email: str, manager_email: str) -> dict:
    from sqlalchemy import func, select

    from app.core.audit import AuditEntry
    from app.core.mail import OutboxMessage
    from app.extensions import db
    from app.release.models import ReleaseDay

    with app.app_context():
        audits = dict(
            db.session.execute(
                select(AuditEntry.action, func.count(AuditEntry.id))
                .where(AuditEntry.object_type == "ReleaseDay", AuditEntry.object_id == day_id)
                .group_by(AuditEntry.action)
            ).all()
        )
        mails = dict(
            db.session.execute(
                select(OutboxMessage.to_address, func.count(OutboxMessage.id))
                .where(OutboxMessage.template.in_(["release_decided", "release_cancelled"]))
                .group_by(OutboxMessage.to_address)
            ).all()
        )
        status = db.session.get(ReleaseDay, day_id).status
        return {
            "status": status,
            "audits": audits,
            "to_holder": mails.get(holder_email, 0),
            "to_manager": mails.get(manager_email, 0),
        }


def test_twenty_parallel_approvals_of_one_day_make_one_change(app, browser_factory, requested_days):
    from app.release.models import DayStatus
    from tests.helpers import text

    [day_id, *_], holder, manager = requested_days
    managers, token = _signed_in(browser_factory, manager.email, PARALLEL, "/release/approvals")
    form = {"days": [str(day_id)], "action": "approve", "csrf_token": token}

    responses = _at_once([lambda b=b: b.post("/release/approvals", form) for b in managers])

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * (PARALLEL - 1) + [302], codes  # one winner, no 500
    for r in responses:
        if r.status_code == 200:
            assert (
                "This day was approved by you a moment ago, so there was nothing more to do. "
                "Nothing was changed." in text(r)
            )
    assert _counts(app, day_id, holder.email, manager.email) == {
        "status": DayStatus.APPROVED,
        "audits": {"release.approved": 1},
        "to_holder": 1,
        "to_manager": 0,
    }


def test_approve_against_cancel_gives_one_winner_and_tells_the_other(
    app, browser_factory, requested_days
):
    from app.release.models import DayStatus
    from tests.helpers import text

    day_ids, holder, manager = requested_days
    [boss], _ = _signed_in(browser_factory, manager.email, 1, "/release/approvals")
    [me], _ = _signed_in(browser_factory, holder.email, 1, "/account/")
    winners = set()
    before = _counts(app, day_ids[0], holder.email, manager.email)
    for day_id in day_ids:  # five rounds: either may win any of them
        approve = {
            "days": [str(day_id)],
            "action": "approve",
            "csrf_token": boss.token("/release/approvals"),
        }
        cancel_url = f"/release/days/{day_id}/cancel"
        page = me.get(cancel_url).get_data(as_text=True)
        assert 'name="seen" type="hidden" value="requested"' in page
        cancel = {"seen": "requested", "csrf_token": me.token(cancel_url)}

        approved, cancelled = _at_once(
            [
                lambda a=approve: boss.post("/release/approvals", a),
                lambda u=cancel_url, c=cancel: me.post(u, c),
            ]
        )
        assert approved.status_code in (200, 302) and cancelled.status_code == 302
        ledger = text(me.get(cancelled.headers["Location"]))  # shows the flash
        after = _counts(app, day_id, holder.email, manager.email)
        if approved.status_code == 302:  # the manager was first: the holder is emailed
            winners.add("approve")
            assert after["status"] == DayStatus.APPROVED
            assert after["audits"] == {"release.approved": 1}
            assert (after["to_holder"], after["to_manager"]) == (
                before["to_holder"] + 1,
                before["to_manager"],
            )
            assert "approved by Sam Manager a moment ago, so it was not cancelled" in ledger
        else:  # the holder was first: the manager is emailed
            winners.add("cancel")
            assert after["status"] == DayStatus.CANCELLED
            assert after["audits"] == {"release.cancelled": 1}
            assert (after["to_holder"], after["to_manager"]) == (
                before["to_holder"],
                before["to_manager"] + 1,
            )
            assert "cancelled by Ann Smith a moment ago, so it was not approved" in text(approved)
            assert "has been cancelled" in ledger
        before = after


def test_parallel_sign_offs_of_one_application_make_one(make, app):
    """Ten PSWs of the employer endorse the same application at the same moment."""
    from sqlalchemy import func, select

    from app.accounts.models import User
    from app.applications import services
    from app.applications.models import Application, AppStatus, SignOff
    from app.core.audit import AuditEntry
    from app.core.mail import OutboxMessage
    from app.core.roles import Role
    from app.extensions import db

    employer = make.org()
    psws = [make.user(Role.PSW, orgs=[employer]) for _ in range(10)]
    a = make.application(make.cohort(), employer=employer, psw=psws[0], status="submitted")

    def sign(psw_id):
        with app.test_request_context(method="POST"):  # a POST writes: BEGIN IMMEDIATE
            try:
                services.sign_off(
                    db.session.get(Application, a.id),
                    db.session.get(User, psw_id),
                    endorse=True,
                    confirmed_release=True,
                    confirmed_strategic=True,
                )
                db.session.commit()
                return "ok"
            except services.ApplicationChanged as exc:
                db.session.rollback()
                return str(exc)
            finally:
                db.session.remove()

    outcomes = _at_once([lambda p=p.id: sign(p) for p in psws])

    assert outcomes.count("ok") == 1, outcomes
    assert all(
        "a moment ago, so it can no longer be signed off." in o for o in outcomes if o != "ok"
    )
    with app.app_context():
        assert db.session.get(Application, a.id).status == AppStatus.ENDORSED
        assert db.session.scalar(select(func.count(SignOff.id))) == 1
        changes = db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "application.status_changed",
                AuditEntry.object_id == a.id,
                AuditEntry.summary == "Endorsed by the Principal Social Worker",
            )
        )
        assert changes == 1
        mails = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.template == "psw_decision")
        )
        assert mails == 1
