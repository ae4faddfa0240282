"""Compare-and-set for records whose status moves through states.

A service that changes a status calls `claim` before it reads anything else: the row
is read again under a row lock (SELECT ... FOR UPDATE on PostgreSQL; on SQLite every
writing transaction already holds the database's write lock from BEGIN IMMEDIATE),
overwriting what the session held, and its status must still be one the change
expects. When it is not, someone else got there first: the caller's `refuse` builds
the error saying what happened, and nothing is written. Two people acting at once
therefore give one change (one audit entry, one email), and the other is told why
theirs was not made, instead of repeating or silently overwriting the first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from sqlalchemy import inspect, select

from app.extensions import db

T = TypeVar("T")


class Conflict(Exception):
    """Mixed into a capability's own error for "someone else changed this first", so
    views show it like any other refusal and a bulk action can tell it apart."""


def lock(obj: T) -> T:
    """Read `obj`'s row again under a row lock and refresh the session's copy of it.

    Call it before changing the object: unflushed changes to its columns are replaced
    by what the database holds."""
    mapper = inspect(obj).mapper
    ident = mapper.primary_key_from_instance(obj)
    stmt = (
        select(mapper.class_)
        .where(*(col == value for col, value in zip(mapper.primary_key, ident, strict=True)))
        .with_for_update(of=mapper.class_)
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(stmt).one()


def claim(
    obj: T,
    expected: Collection[Any] | Any,
    refuse: Callable[[T], Exception],
    *,
    attr: str = "status",
) -> Any:
    """Lock `obj` and check `obj.<attr>` is (one of) `expected`; return its value.

    Otherwise raise `refuse(obj)`: the object then shows the current state, so the
    message can say who changed it and to what."""
    lock(obj)
    current = getattr(obj, attr)
    allowed = (
        expected
        if isinstance(expected, Collection) and not isinstance(expected, str)
        else (expected,)
    )
    if current not in allowed:
        raise refuse(obj)
    return current
