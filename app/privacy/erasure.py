"""Erasure on request: a preview table by table, then everything in one transaction.

- Money records (spending, receipts, invoices, backfill) are under a legal hold: kept
  whole for six years; the person's name and email are kept with the erasure record
  (and nowhere else) until the hold ends, then the purge clears them.
- Their own account records (roles, tokens, memberships, mail) are deleted, as are
  their files outside the hold.
- Their other records (applications, days, meetings, outputs) are kept as husks with
  every personal column emptied, so the programme's counts still add up; what was
  published for other authorities (output titles, impacts) stays, credited to "Former
  member", with their files removed.
- Records they acted on, audit entries included, are kept: they point to an account
  that now reads "Former member", and every declared text column that mentions the
  name or email has it replaced.
- The account itself: "Former member", an address that cannot receive mail, no
  password, deactivated, every session ended.
Afterwards `scan` looks through every declared column, JSON column and stored file for
the name and email, outside the held records; the result is shown and audited.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import (
    JSON,
    Column,
    Integer,
    LargeBinary,
    Select,
    String,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    or_,
    select,
    text,
    union,
    update,
)
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BooleanClauseList

from app.core import audit
from app.core.clock import today
from app.core.storage_cleanup import referencing_columns
from app.extensions import db
from app.privacy import retention, subjects
from app.privacy.datamap import USER_TABLE, actor_columns, references_user, subject_links
from app.privacy.declare import Category, Retention, declaration

FORMER_MEMBER = "Former member"
ERASED = "[erased]"
PRIVACY_TABLES = {"privacy_erasure", "privacy_setting"}
DELETE_RETENTIONS = {Retention.ACCOUNT, Retention.SHORT}


class ErasureError(Exception):
    """Refused; the message says why."""


@dataclass
class Effect:
    table: str
    action: str  # "deleted" | "anonymised" | "held" | "named"
    count: int
    note: str = ""

    @property
    def label(self) -> str:
        return self.table.replace("_", " ").capitalize()


@dataclass
class Plan:
    effects: list[Effect] = field(default_factory=list)

    @property
    def held(self) -> list[Effect]:
        return [e for e in self.effects if e.action == "held"]

    def of(self, action: str) -> list[Effect]:
        return [e for e in self.effects if e.action == action]


def is_held(table: Table) -> bool:
    return (
        any(
            (d := declaration(c)) is not None and d.retention is Retention.FINANCE
            for c in table.columns
        )
        and table.name not in PRIVACY_TABLES
    )


def _file_columns(table: Table) -> list[Column]:
    return [
        c
        for c in table.columns
        if (d := declaration(c)) is not None
        and d.category is Category.FILE
        and any(fk.column.table.name == "stored_file" for fk in c.foreign_keys)
    ]


def action_for(table: Table) -> str:
    if table.name == USER_TABLE:
        return "anonymised"
    if is_held(table):
        return "held"
    links = subject_links(table)
    if any(references_user(c) and declaration(c).retention in DELETE_RETENTIONS for c in links):
        return "deleted"
    if any(not c.nullable for c in _file_columns(table)):
        return "deleted"  # a file the row cannot exist without goes, and the row with it
    return "anonymised"


def _terms(condition) -> list:
    """The terms of an OR (one term otherwise)."""
    if isinstance(condition, BooleanClauseList) and condition.operator is operators.or_:
        return list(condition.clauses)
    return [condition]


def _has_subquery(term) -> bool:
    return any(isinstance(e, Select) for e in visitors.iterate(term))


def _count(table: Table, terms: list, also=None):
    """COUNT of the rows matching any of `terms` (and `also`), as a scalar subquery. Terms
    with a subquery are a UNION of the rows' keys, so each term can use its own index: an OR
    with a subquery in it makes PostgreSQL scan the whole table (41,000 supervision
    attendees); plain column terms stay an OR (indexes combined, a smaller plan)."""
    if len(terms) == 1 or not any(_has_subquery(t) for t in terms):
        where = or_(*terms) if also is None else or_(*terms) & also
        return select(func.count()).select_from(table).where(where).scalar_subquery()
    pk = list(table.primary_key)
    keys = union(*[select(*pk).where(t if also is None else t & also) for t in terms])
    return select(func.count()).select_from(keys.subquery()).scalar_subquery()


_PREVIEW: list = []  # built once: (table, action, count) for every count, and the statement
USER_ID = bindparam("user_id", type_=Integer)


def _preview_counts() -> tuple[list[tuple[str, str]], Select]:
    if not _PREVIEW:
        kinds, counts = [], []
        for table in db.metadata.sorted_tables:
            if table.name in PRIVACY_TABLES:
                continue
            owned = subjects.owned_condition(table, USER_ID)
            if owned is not None:
                kinds.append((table.name, action_for(table)))
                counts.append(_count(table, _terms(owned)))
            actors = actor_columns(table)
            if actors:
                kinds.append((table.name, "named"))
                terms = [c == USER_ID for c in actors]
                counts.append(_count(table, terms, None if owned is None else ~owned))
            if owned is None:
                for column in _cache_columns(table):
                    kinds.append((table.name, "cleared"))
                    counts.append(_count(table, [column.is_not(None)]))
        stmt = select(*[c.label(f"n{i}") for i, c in enumerate(counts)])
        _PREVIEW[:] = [kinds, stmt]
    return _PREVIEW[0], _PREVIEW[1]


@contextmanager
def generic_plan() -> Iterator[None]:
    """PostgreSQL: the preview's eighty counts take ~20 ms to plan and ~3 to run, and the
    planner, weighing a plan for one person against a plan for any, kept planning afresh
    on every request even once the statement was prepared. A generic plan (every count
    reads an index on the person's id whoever they are) is planned once per connection.
    Set back after it, not in a `finally`: a failed statement aborts the transaction, which
    ends the setting with it (and a further statement would only hide the error)."""
    if db.session.get_bind().dialect.name != "postgresql":
        yield
        return
    db.session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
    yield
    db.session.execute(text("SET LOCAL plan_cache_mode = auto"))


def preview(user_id: int) -> Plan:
    """Every count in one statement (one round trip, not one per declared table)."""
    kinds, stmt = _preview_counts()
    with generic_plan():
        row = db.session.execute(stmt, {"user_id": user_id}).one()
    plan = Plan()
    for (table, action), n in zip(kinds, row, strict=True):
        if n:
            plan.effects.append(Effect(table, action, n))
    return plan


def _blank(column: Column):
    if column.nullable:
        return None
    if isinstance(column.type, String | Text):
        return ERASED if not column.unique else None
    return column.default.arg if column.default is not None else None


def _anonymise(table: Table, condition) -> None:
    values = {}
    for c in table.columns:
        d = declaration(c)
        if d is None or not d.is_personal or c.primary_key:
            continue
        if d.retention is Retention.PUBLISHED and d.category is not Category.FILE:
            continue  # shared with other authorities: kept, credited "former member"
        if references_user(c):
            continue  # they point to the account, which reads "Former member"
        values[c.name] = _blank(c)
    if values:
        db.session.execute(update(table).where(condition).values(**values))


def _forget_addresses(table: Table, condition) -> None:
    """On rows they acted on (audit entries): the network address they acted from."""
    values = {
        c.name: None
        for c in table.columns
        if (d := declaration(c)) is not None
        and d.category is Category.ACCOUNT
        and c.nullable
        and not c.foreign_keys
    }
    if values:
        db.session.execute(update(table).where(condition).values(**values))


def _cache_columns(table: Table) -> list[Column]:
    """Files no person owns that are kept only a short time: caches (rendered documents,
    which may print anyone's name). An erasure clears them; they are made again."""
    return [c for c in _file_columns(table) if declaration(c).retention is Retention.SHORT]


def _clear_caches(tables: list[Table], conditions: dict) -> set[int]:
    ids: set[int] = set()
    for table in tables:
        if conditions[table.name] is not None:
            continue
        for column in _cache_columns(table):
            ids.update(db.session.scalars(select(column).where(column.is_not(None))))
            db.session.execute(delete(table).where(column.is_not(None)))
    return ids


def _file_ids(table: Table, condition) -> set[int]:
    ids: set[int] = set()
    for c in _file_columns(table):
        ids.update(x for x in db.session.scalars(select(c).where(condition)) if x)
    return ids


def _delete_unused_files(ids: set[int]) -> None:
    stored = db.metadata.tables["stored_file"]
    for file_id in ids:
        used = any(
            db.session.scalar(select(func.count()).where(col == file_id))
            for col in referencing_columns()
        )
        if not used:
            db.session.execute(delete(stored).where(stored.c.id == file_id))


def _text_columns(table: Table) -> list[Column]:
    """Declared personal text columns and JSON columns: where a name or email could be."""
    out = []
    for c in table.columns:
        d = declaration(c)
        if isinstance(c.type, JSON) or (
            d is not None and d.is_personal and isinstance(c.type, String | Text)
        ):
            out.append(c)
    return out


def _needles(name: str, email: str) -> list[str]:
    return [n for n in {name.strip(), email.strip()} if len(n) >= 3]


def _matches(column: Column, needle: str):
    text = cast(column, Text) if isinstance(column.type, JSON) else column
    return func.lower(text).contains(needle.lower(), autoescape=True)


def _held_rows(table: Table, user_id: int):
    """The rows of `table` kept whole under the legal hold (None: none)."""
    if not is_held(table):
        return None
    return subjects.owned_condition(table, user_id)


def _scrub(user_id: int, name: str, email: str) -> None:
    needles = _needles(name, email)
    for table in db.metadata.sorted_tables:
        if table.name in PRIVACY_TABLES:
            continue
        held = _held_rows(table, user_id)
        pk = list(table.primary_key)
        for column in _text_columns(table):
            for needle in needles:
                cond = _matches(column, needle)
                if held is not None:
                    cond = cond & ~held
                rows = db.session.execute(select(*pk, column).where(cond)).all()
                pattern = re.compile(re.escape(needle), re.IGNORECASE)
                replacement = FORMER_MEMBER.lower() if needle == name.strip() else ERASED
                for row in rows:
                    value = row[-1]
                    if isinstance(column.type, JSON):
                        value = json.loads(pattern.sub(replacement, json.dumps(value)))
                    else:
                        value = pattern.sub(replacement, value)
                    where = [c == v for c, v in zip(pk, row[:-1], strict=True)]
                    db.session.execute(update(table).where(*where).values({column.name: value}))


def erase(user, actor) -> tuple[Plan, list[tuple[str, str, object]]]:
    """Erase `user` (locked first). Returns the plan carried out and the scan's findings.
    The caller commits."""
    from app.accounts.models import User, UserStatus
    from app.privacy.models import Erasure

    locked = db.session.scalars(select(User).where(User.id == user.id).with_for_update()).one()
    if actor is not None and locked.id == actor.id:
        raise ErasureError("You cannot erase your own account: ask another member of staff.")
    if db.session.scalar(select(func.count()).where(Erasure.user_id == locked.id)):
        raise ErasureError("This person's data has already been erased.")
    name, email = locked.name, locked.email
    plan = preview(locked.id)
    files: set[int] = set()
    tables = [t for t in db.metadata.sorted_tables if t.name not in PRIVACY_TABLES]
    conditions = {t.name: subjects.owned_condition(t, locked.id) for t in tables}
    for table in tables:
        cond = conditions[table.name]
        if cond is not None and action_for(table) != "held":
            files |= _file_ids(table, cond)
    # the rows to delete are found before anything changes, then removed children first
    doomed = {}
    for table in tables:
        cond = conditions[table.name]
        if cond is not None and table.name != USER_TABLE and action_for(table) == "deleted":
            pk = table.primary_key.columns.values()[0]
            doomed[table.name] = list(db.session.scalars(select(pk).where(cond)))
    for table in tables:
        cond = conditions[table.name]
        if cond is not None and table.name != USER_TABLE and action_for(table) == "anonymised":
            _anonymise(table, cond)
            for c in _file_columns(table):
                if c.nullable:
                    db.session.execute(update(table).where(cond).values({c.name: None}))
    for table in tables:
        acted = subjects.acted_condition(table, locked.id)
        if acted is not None:
            _forget_addresses(table, acted)
    for table in reversed(tables):
        ids = doomed.get(table.name)
        if ids:
            pk = table.primary_key.columns.values()[0]
            db.session.execute(delete(table).where(pk.in_(ids)))
    _scrub(locked.id, name, email)
    db.session.expire_all()
    locked = db.session.get(User, user.id)
    locked.name = FORMER_MEMBER
    locked.email = f"erased-{locked.id}@erased.invalid"
    locked.password_hash = None
    locked.status = UserStatus.DEACTIVATED
    locked.session_version = (locked.session_version or 1) + 1
    for attr in ("totp_secret", "totp_enabled_at"):
        if hasattr(locked, attr):
            setattr(locked, attr, None)
    files |= _clear_caches(tables, conditions)
    _delete_unused_files(files)
    held = bool(plan.held)
    db.session.add(
        Erasure(
            user_id=locked.id,
            erased_by_id=getattr(actor, "id", None),
            held_until=today() + timedelta(days=retention.days(Retention.FINANCE) or 0)
            if held
            else None,
            held_name=name if held else None,
            held_email=email if held else None,
        )
    )
    db.session.flush()
    findings = scan(locked.id, name, email)
    audit.record(
        "privacy.erased",
        locked,
        actor=actor,
        summary=f"Personal data erased; {len(plan.held)} kinds of record under the legal hold",
        changes={"traces_found": [0, len(findings)]},
    )
    return plan, findings


def scan(user_id: int, name: str, email: str) -> list[tuple[str, str, object]]:
    """(table, column, row key) wherever the name or email still appears outside the held
    records and the erasure record; ("stored_file", "data", id) for a file holding it."""
    found = []
    needles = _needles(name, email)
    for table in db.metadata.sorted_tables:
        if table.name in PRIVACY_TABLES:
            continue
        held = _held_rows(table, user_id)
        pk = list(table.primary_key)
        for column in _text_columns(table):
            for needle in needles:
                cond = _matches(column, needle)
                if held is not None:
                    cond = cond & ~held
                for row in db.session.execute(select(*pk).where(cond)):
                    found.append((table.name, column.name, row[0]))
    found += _scan_files(user_id, needles)
    return found


def _held_file_ids(user_id: int) -> set[int]:
    ids: set[int] = set()
    for table in db.metadata.sorted_tables:
        held = _held_rows(table, user_id)
        if held is not None:
            ids |= _file_ids(table, held)
    return ids


def _scan_files(user_id: int, needles: list[str]) -> list[tuple[str, str, object]]:
    stored = db.metadata.tables["stored_file"]
    data = stored.c.data
    held = _held_file_ids(user_id)
    found = []
    for needle in needles:
        for variant in {needle, needle.lower(), needle.upper()}:
            raw = variant.encode()
            if db.engine.dialect.name == "postgresql":
                cond = func.position(cast(raw, LargeBinary).op("IN")(data)) > 0
            else:
                cond = func.instr(data, raw) > 0
            for file_id in db.session.scalars(select(stored.c.id).where(cond)):
                if file_id not in held:
                    found.append(("stored_file", "data", file_id))
    return sorted(set(found))
