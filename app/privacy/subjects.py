"""Whose rows are whose, read from the map: a row belongs to a person when a SUBJECT
column points to them, or to a row of another table that belongs to them (a release day
through its award, a receipt through its spending item and award). Rows a person only
acted on (approved, reviewed, signed) are found through the ACTOR columns."""

from __future__ import annotations

from sqlalchemy import Column, Select, Table, false, or_, select

from app.extensions import db
from app.privacy.datamap import USER_TABLE, actor_columns, references_user, subject_links

MAX_DEPTH = 6


def user_table() -> Table:
    return db.metadata.tables[USER_TABLE]


def _target(column: Column) -> Column:
    return next(iter(column.foreign_keys)).column


def owned_condition(table: Table, user_id: int, depth: int = 0):
    """The WHERE clause for `table`'s rows that belong to the person, or None when no
    declared path leads from the table to a person."""
    if table.name == USER_TABLE:
        return table.c.id == user_id
    if depth > MAX_DEPTH:
        return None
    conditions = []
    for column in subject_links(table):
        if references_user(column):
            conditions.append(column == user_id)
            continue
        target = _target(column)
        inner = owned_condition(target.table, user_id, depth + 1)
        if inner is not None:
            conditions.append(column.in_(select(target).where(inner)))
    if not conditions:
        return None
    return or_(*conditions)


def owned_rows(table: Table, user_id: int) -> Select | None:
    condition = owned_condition(table, user_id)
    if condition is None:
        return None
    return select(table).where(condition)


def acted_condition(table: Table, user_id: int):
    """Rows the person acted on (and that are not theirs), or None."""
    columns = actor_columns(table)
    if not columns:
        return None
    acted = or_(*[c == user_id for c in columns])
    owned = owned_condition(table, user_id)
    return acted if owned is None else acted & ~owned


def owned_tables() -> list[Table]:
    """Every table with a declared path to a person, the user table first."""
    return [t for t in db.metadata.sorted_tables if owned_condition(t, 0) is not None]


def never(table: Table):
    return select(table).where(false())
