"""A request that only read ends with COMMIT (PostgreSQL), so psycopg keeps its prepared
statements across requests; anything that wrote and was not committed is still rolled
back when the request ends."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text

from app.accounts.models import User
from app.core.db import _reads_only
from app.core.roles import Role
from app.extensions import db


def test_what_counts_as_a_read():
    assert _reads_only("SELECT 1")
    assert _reads_only("  select * from x")
    assert _reads_only("WITH a AS (SELECT 1) SELECT * FROM a")
    assert not _reads_only("WITH a AS (UPDATE x SET y = 1 RETURNING y) SELECT * FROM a")
    assert not _reads_only("WITH a AS (SELECT 1 FROM x FOR UPDATE) SELECT * FROM a")
    assert not _reads_only("INSERT INTO x VALUES (1)")
    assert not _reads_only("UPDATE x SET y = 1")
    assert not _reads_only("SAVEPOINT sa_1")
    assert _reads_only("SET LOCAL plan_cache_mode = force_generic_plan")
    assert not _reads_only("SET search_path = x")


@pytest.fixture
def postgres(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only: SQLite keeps no prepared statements")
        return db.engine


def _ends(engine, fn) -> list[str]:
    seen: list[str] = []
    commit = lambda _conn: seen.append("commit")  # noqa: E731
    rollback = lambda _conn: seen.append("rollback")  # noqa: E731
    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)
    try:
        fn()
    finally:
        event.remove(engine, "commit", commit)
        event.remove(engine, "rollback", rollback)
    return seen


def test_a_request_that_only_read_ends_with_commit(app, make, browser, postgres):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    browser.get("/account/")
    assert _ends(postgres, lambda: browser.get("/account/")) == ["commit"]


def test_statements_stay_prepared_across_requests(app, make, postgres):
    make.user(Role.APPLICANT)
    postgres.dispose()  # one connection in the pool, so each context gets the same one
    for _ in range(8):
        with app.app_context():
            db.session.scalars(select(User).where(User.id > 0)).all()
    with app.app_context():
        raw = db.session.connection().connection.dbapi_connection
        assert raw.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0] > 0


def test_a_write_not_committed_is_still_rolled_back(app, make, postgres):
    user = make.user(Role.APPLICANT)

    def write():
        with app.app_context():
            db.session.execute(
                text("UPDATE \"user\" SET name = 'Changed' WHERE id = :i"), {"i": user.id}
            )
            db.session.scalar(select(User.name).where(User.id == user.id))  # a read after it

    assert _ends(postgres, write) == ["rollback"]
    assert make.reload(User, user.id).name != "Changed"


def test_unflushed_changes_are_not_committed(app, make, postgres):
    user = make.user(Role.APPLICANT)

    def change():
        with app.app_context():
            db.session.get(User, user.id).name = "Changed"

    assert "commit" not in _ends(postgres, change)
    assert make.reload(User, user.id).name != "Changed"


def test_the_erasure_preview_is_planned_once(app, make, browser, postgres):
    """Its eighty counts took ~20 ms to plan and the planner kept choosing a fresh plan for
    each person: the preview asks for a generic plan (privacy.erasure.generic_plan), and
    the request, though it set a planner setting, still ends with COMMIT."""
    holder = make.award(cohort=make.running_cohort()).holder_id
    staff = make.user(Role.STAFF)
    postgres.dispose()
    browser.sign_in(staff.email)
    address = f"/privacy/people/{holder}/erase"
    assert _ends(postgres, lambda: browser.get(address)) == ["commit"]
    for _ in range(8):
        assert browser.get(address).status_code == 200
    with app.app_context():
        raw = db.session.connection().connection.dbapi_connection
        plans = raw.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE 'SELECT (SELECT count(*)%'"
        ).fetchall()
    assert plans and plans[0][0] > 0 and plans[0][1] == 0, plans


def test_the_purge_counts_end_as_a_read(app, make, browser, postgres):
    """The dry run is one SELECT: the page ends with COMMIT like any read, so the
    connection keeps its prepared statements (a ROLLBACK after it dropped them)."""
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    browser.get("/privacy/requests?counts=1")
    seen = _ends(postgres, lambda: browser.get("/privacy/requests?counts=1"))
    assert seen == ["commit"], seen
