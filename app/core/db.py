"""Declarative base with a constraint naming convention so migrations are stable."""

from __future__ import annotations

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
