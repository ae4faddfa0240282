"""Small helpers shared by HTTP tests."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select

from app.core.mail import OutboxMessage
from app.extensions import db


def last_email(app, to: str) -> OutboxMessage:
    with app.app_context():
        msg = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == to)
            .order_by(OutboxMessage.id.desc())
        )
        assert msg is not None, f"no email to {to}"
        db.session.expunge(msg)
        return msg


def link_in(body: str, path_fragment: str) -> str:
    """The path of the first link in an email body containing `path_fragment`."""
    for url in re.findall(r"https?://\S+", body):
        path = "/" + url.split("://", 1)[1].split("/", 1)[1]
        if path_fragment in path:
            return path
    raise AssertionError(f"no link containing {path_fragment} in:\n{body}")


def text(resp) -> str:
    """The response body with HTML entities decoded, for content assertions."""
    return html.unescape(resp.get_data(as_text=True))


TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def recorded_sql(app) -> Iterator[list[str]]:
    """The SQL statements run inside the block (transaction control left out)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(TRANSACTION):
            statements.append(" ".join(statement.split()))

    with listening(app, record):
        yield statements


@contextmanager
def listening(app, record) -> Iterator[None]:
    """`record(conn, cursor, statement, parameters, context, executemany)` is called for
    every statement run inside the block."""
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", record)


class FakeSMTP:
    """Stands in for the mail server (smtplib is the boundary, not our code)."""

    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        type(self).sent.append(message)


def query_plans(app, run, tables) -> dict[str, str]:
    """{table: plan} for the SELECTs `run()` makes from each of `tables` (the last one
    seen), each explained with its parameters: EXPLAIN QUERY PLAN on SQLite, EXPLAIN with
    sequential scans off on PostgreSQL (a test database is small, and would be scanned)."""
    captured: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    with listening(app, record):
        run()
    with app.app_context():
        engine = db.engine
    sqlite = engine.dialect.name == "sqlite"
    plans: dict[str, str] = {}
    with engine.connect() as conn:
        if not sqlite:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for statement, parameters in captured:
            for table in tables:
                if re.search(rf"\bFROM {table}\b", statement):
                    explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
                    rows = conn.exec_driver_sql(explain + statement, parameters).all()
                    plans[table] = "\n".join(str(r[-1]) for r in rows)
        conn.rollback()
    return plans
