"""Audit values as people read them.

Entries store plain JSON (enum values, ISO dates, lists) so they stay exact and
searchable; this module turns them into words for the audit page: "Active",
"17 December 2026", "Line manager, Coach", "£3,500.50", "Yes", "(none)".
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from functools import cache
from typing import Any

from app.core.formatting import format_date, format_datetime, format_number, format_pence
from app.core.roles import Role
from app.extensions import db

NONE = "(none)"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?")
# Fields that are not a column of the record but hold enum values.
FIELD_ENUMS: dict[str, type[enum.Enum]] = {"roles": Role}


@cache
def _models() -> dict[str, type]:
    return {m.class_.__name__: m.class_ for m in db.Model.registry.mappers}


@cache
def enum_for(object_type: str, field: str) -> type[enum.Enum] | None:
    """The enum a record's field holds, when it has labels to show."""
    model = _models().get(object_type)
    column = model.__mapper__.columns.get(field) if model is not None else None
    found = getattr(column.type, "enum_class", None) if column is not None else None
    found = found or FIELD_ENUMS.get(field)
    return found if found is not None and hasattr(found, "label") else None


def _label(value: Any, kind: type[enum.Enum] | None) -> str | None:
    if kind is None:
        return None
    try:
        return kind(value).label  # type: ignore[attr-defined]
    except ValueError:  # a value since retired from the enum: show it as stored
        return None


def show(value: Any, kind: type[enum.Enum] | None = None, money: bool = False) -> str:
    """One stored value in words; lists joined with commas, empty as "(none)"."""
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, list | tuple):
        return ", ".join(show(v, kind, money) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, enum.Enum):
        value = value.value
    if money and isinstance(value, int):
        return format_pence(value)
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    text = str(value)
    if (label := _label(text, kind)) is not None:
        return label
    if ISO_DATE.fullmatch(text):
        return format_date(date.fromisoformat(text))
    if ISO_DATETIME.fullmatch(text):
        return format_datetime(datetime.fromisoformat(text))
    return text


def changes(entry) -> list[tuple[str, str, str]]:
    """(field, before, after) for each change of an audit entry, in words."""
    rows = []
    for field, pair in (entry.changes or {}).items():
        before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        kind = enum_for(entry.object_type, field)
        money = field.endswith("_pence")
        name = (field.removesuffix("_pence") if money else field).replace("_", " ")
        rows.append((name, show(before, kind, money), show(after, kind, money)))
    return rows
