"""Declarative base with a constraint naming convention so migrations are stable."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Naive UTC now: every stored time is UTC, shown in Europe/London."""
    return datetime.now(UTC).replace(tzinfo=None)


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE for every transaction.

    pysqlite's default starts transactions lazily (deferred), so two processes can
    both read a balance and both commit. Taking the write lock at BEGIN serialises
    writers; the busy timeout makes the second wait rather than fail.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - driver hook
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - driver hook
        conn.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")


def _read_only_request() -> bool:
    """GET and HEAD requests never write, so they need not queue for the write lock."""
    from flask import has_request_context, request

    return has_request_context() and request.method in ("GET", "HEAD")


def enum_type(cls, length: int = 32):
    """A portable enum column storing the members' values ('endorsed'), not names, so
    CHECK constraints and raw SQL read naturally."""
    from sqlalchemy import Enum

    return Enum(
        cls,
        native_enum=False,
        length=length,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
    )


WROTE = "prp_wrote"
_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def _reads_only(statement: str) -> bool:
    """A SELECT, a planner setting for this transaction alone (SET LOCAL plan_cache_mode,
    see privacy.erasure.generic_plan), or a WITH query with no data-modifying part (a FOR
    UPDATE counts as one: when unsure, it is a write and the transaction is rolled back as
    before)."""
    head = statement.lstrip()[:6].upper()
    if head == "SELECT":
        return True
    if statement.lstrip().upper().startswith("SET LOCAL PLAN_CACHE_MODE"):
        return True
    return head.startswith("WITH") and not _WRITES.search(statement)


def end_reads_with_commit(app, db) -> None:
    """PostgreSQL: a request that only read ends its transaction with COMMIT, not ROLLBACK.

    psycopg forgets its prepared statements on every ROLLBACK, and closing the session at
    the end of each request rolled back; so no statement was ever prepared across requests
    and PostgreSQL planned every query of every page afresh (3 ms for the at-risk ranking).
    Ending a read-only transaction with COMMIT is the same for the data and keeps them. A
    transaction that sent anything but a SELECT, has unflushed changes, or ended in an
    error is rolled back as before."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(conn, _cursor, statement, *_args):
        if conn.info.get(WROTE) is not True and not _reads_only(statement):
            conn.info[WROTE] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _clear(conn):
        conn.info.pop(WROTE, None)

    @app.teardown_appcontext
    def _end(exc):  # runs before Flask-SQLAlchemy's own teardown closes the session
        session = db.session()  # this context's session, not the scoped proxy
        if exc is not None or not session.in_transaction():
            return
        if session.new or session.dirty or session.deleted:
            return
        try:
            if not session.connection().info.get(WROTE):
                # not expired: a streamed response (a file download) still reads the
                # records it loaded after the request's context has ended
                session.expire_on_commit = False
                session.commit()
        except Exception:  # noqa: BLE001 - the session is closed and rolled back next
            app.logger.warning("Ending a read-only transaction failed", exc_info=True)


def include_name(name: str | None, type_: str, _parents: dict) -> bool:
    """For schema comparison and autogenerate: leave out the PostgreSQL-only trigram
    indexes (migration b8d4f0e6a2c1), which the models do not declare."""
    return not (type_ == "index" and name is not None and name.endswith("_trgm"))
