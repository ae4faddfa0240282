"""The personal-data map read back from the metadata: which columns need a declaration,
which tables belong to a person, and how (directly or through another table)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Column, Enum, MetaData, String, Table, Text

from app.privacy.declare import Declaration, Person, declaration, table_reason

USER_TABLE = "user"


def references_user(column: Column) -> bool:
    return any(fk.column.table.name == USER_TABLE for fk in column.foreign_keys)


def needs_declaration(column: Column) -> bool:
    """A column that points to a person, or text that could hold personal data. Enums
    hold a fixed vocabulary, so they need none (one may still be declared)."""
    if references_user(column):
        return True
    return isinstance(column.type, String | Text) and not isinstance(column.type, Enum)


def undeclared(metadata: MetaData) -> Iterator[tuple[str, str]]:
    """(table, column) for every column that needs a declaration and has none, and for
    every column of a table marked as holding no personal data that points to a person."""
    for table in metadata.sorted_tables:
        if table_reason(table) is not None:
            for column in table.columns:
                if references_user(column):
                    yield table.name, column.name
            continue
        for column in table.columns:
            if needs_declaration(column) and declaration(column) is None:
                yield table.name, column.name


@dataclass(frozen=True)
class Field:
    table: str
    column: str
    decl: Declaration


def declared(metadata: MetaData) -> Iterator[tuple[Table, Column, Declaration]]:
    for table in metadata.sorted_tables:
        for column in table.columns:
            decl = declaration(column)
            if decl is not None:
                yield table, column, decl


def subject_links(table: Table) -> list[Column]:
    """The columns that say whose row this is: a SUBJECT foreign key, to `user` or to a
    table whose rows belong to a person."""
    out = []
    for column in table.columns:
        decl = declaration(column)
        if decl is not None and decl.person is Person.SUBJECT and column.foreign_keys:
            out.append(column)
    return out


def actor_columns(table: Table) -> list[Column]:
    return [
        c
        for c in table.columns
        if (d := declaration(c)) is not None and d.person is Person.ACTOR and references_user(c)
    ]


def personal_columns(table: Table) -> list[tuple[Column, Declaration]]:
    return [
        (c, d)
        for c in table.columns
        if (d := declaration(c)) is not None and d.is_personal and not c.foreign_keys
    ]
