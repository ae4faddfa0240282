"""The app as a separate process loads it: gunicorn workers and spawned test processes.

gunicorn:  PRP_TEST_DB_URL=sqlite:////tmp/x.db gunicorn tests._served_app:app

Environment variables (all set by the tests that start the processes):

    PRP_TEST_DB_URL         database URL (required)
    INSTANCE_PATH           instance folder, read by `create_app` itself

Settings are fixed otherwise: APP_ENV=testing, a fixed SECRET_KEY and cheap argon2
costs, so password checks take milliseconds. Everything else (throttle limits,
session settings) keeps the application's defaults: the point is to run the
real configuration in real processes.

The module also holds the helpers the multi-process tests share: building the
settings and making a scratch database (a temporary SQLite file, or a database
of its own on the PostgreSQL server named by TEST_DATABASE_URL, so the rest of
the suite's `test` database is never touched).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DB_URL_ENV = "PRP_TEST_DB_URL"
SECRET_KEY = "served-app-secret-key-for-tests-only"


def served_settings(db_url: str) -> dict[str, Any]:
    return {
        "APP_ENV": "testing",
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "MAIL_SERVER": None,
        "BASE_URL": "http://127.0.0.1",
    }


def build_app(db_url: str | None = None):
    from app import create_app

    return create_app(served_settings(db_url or os.environ[DB_URL_ENV]))


def __getattr__(name: str):
    # `app` is built on first use, so importing this module for its helpers
    # (as the tests do) creates nothing; gunicorn's getattr(module, "app") builds it.
    if name == "app":
        application = build_app()
        globals()["app"] = application
        return application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def postgres_url() -> str | None:
    """TEST_DATABASE_URL when it names a PostgreSQL server, else None."""
    url = os.environ.get("TEST_DATABASE_URL") or ""
    return url if url.startswith(("postgres://", "postgresql")) else None


@contextmanager
def scratch_database(tmp_path: Path, name: str) -> Iterator[str]:
    """Yield the SQLAlchemy URL of an empty database that is removed afterwards."""
    pg = postgres_url()
    if pg is None:
        yield f"sqlite:///{tmp_path / (name + '.db')}"
        return

    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    base = make_url(pg)
    dbname = f"prp_{name}_{os.getpid()}"
    conninfo = base.set(drivername="postgresql").render_as_string(hide_password=False)

    def admin(statement: sql.Composable) -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(statement)

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
    admin(drop)
    admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        yield base.set(drivername="postgresql+psycopg", database=dbname).render_as_string(
            hide_password=False
        )
    finally:
        admin(drop)
