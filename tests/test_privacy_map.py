"""The personal-data map (issue 20): every column that points to a person, and every
text column, says what it holds, so a new table cannot forget it."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Text

from app.extensions import db
from app.privacy.datamap import undeclared
from app.privacy.declare import (
    Category,
    Retention,
    no_personal_data,
    not_personal,
    personal,
)

# Tables other helpers added at the same time, not yet declared: emptied when they are.
# The two-factor and reminder-setting tables were declared by their authors.
PENDING_OTHER_HELPERS: set[str] = set()
PENDING_DECLARATION = PENDING_OTHER_HELPERS


def test_every_table_declares_its_personal_data(app):
    missing = [(t, c) for t, c in undeclared(db.metadata) if t not in PENDING_DECLARATION]
    assert not missing, (
        "Columns with no personal-data declaration (see notes/privacy-howto or "
        f"app/privacy/declare.py): {missing}"
    )


def test_pending_tables_are_really_pending(app):
    """A pending table that is declared now leaves the list."""
    still = {t for t, _c in undeclared(db.metadata)}
    declared_now = (PENDING_DECLARATION & set(db.metadata.tables)) - still
    assert not declared_now, f"Declared now: take them off PENDING_DECLARATION: {declared_now}"


def _metadata() -> MetaData:
    md = MetaData()
    Table("user", md, Column("id", Integer, primary_key=True))
    return md


def test_the_check_finds_a_user_reference_without_a_declaration():
    md = _metadata()
    Table(
        "note",
        md,
        Column("id", Integer, primary_key=True),
        Column("author_id", ForeignKey("user.id")),
        Column("body", Text, info=personal(Category.FREE_TEXT, Retention.PROGRAMME)),
    )
    assert list(undeclared(md)) == [("note", "author_id")]


def test_the_check_finds_a_text_column_without_a_declaration():
    md = _metadata()
    Table(
        "note",
        md,
        Column("id", Integer, primary_key=True),
        Column("status", String(20), info=not_personal()),
        Column("body", Text),
    )
    assert list(undeclared(md)) == [("note", "body")]


def test_a_table_without_personal_data_may_not_point_to_a_person():
    md = _metadata()
    Table(
        "setting",
        md,
        Column("id", Integer, primary_key=True),
        Column("value", String(20)),
        info=no_personal_data("settings"),
    )
    assert list(undeclared(md)) == []
    Table(
        "setting_change",
        md,
        Column("id", Integer, primary_key=True),
        Column("by_id", ForeignKey("user.id")),
        info=no_personal_data("wrongly marked"),
    )
    assert list(undeclared(md)) == [("setting_change", "by_id")]


def test_the_readme_records_every_retention_rule_and_its_default(app):
    from pathlib import Path

    from app.privacy.declare import Retention
    from app.privacy.retention import DEFAULT_DAYS

    readme = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text()
    record = readme.split("## Data protection: record of processing", 1)[1].split("\n## ", 1)[0]
    for rule in Retention:
        assert f"| `{rule.value}` |" in record, rule
        days = DEFAULT_DAYS[rule]
        if days is not None and rule is not Retention.FINANCE:
            assert f"| `{rule.value}` | {days} days" in record, rule
