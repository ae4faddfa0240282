"""Subject access: everything the map says refers to one person, as a ZIP streamed while
it is built (a JSON and a CSV file per table, their stored files, and a plain-English
cover page). Rows that are the person's own are copied whole, less secrets (password and
token hashes); rows they only acted on (approved, reviewed, signed) show what they did,
without other people's personal data."""

from __future__ import annotations

import csv
import enum
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from flask import render_template
from sqlalchemy import Column, Table, select

from app.core import storage
from app.core.csv import safe_cell
from app.core.db import utcnow
from app.core.formatting import format_datetime
from app.core.mail import external_url
from app.core.storage import StoredFile
from app.extensions import db
from app.privacy import subjects
from app.privacy.datamap import personal_columns, references_user
from app.privacy.declare import Category, Person, declaration

STORED_FILE = "stored_file"


def _plain(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes | memoryview):
        return None
    return value


def own_columns(table: Table) -> list[Column]:
    """A person's own row: every column but secrets."""
    return [c for c in table.columns if (d := declaration(c)) is None or d.export]


def acted_columns(table: Table) -> list[Column]:
    """A row the person acted on: its id, dates and codes, and the columns naming them;
    never another person's contact details, free text or files."""
    out = []
    for c in table.columns:
        d = declaration(c)
        if d is not None and d.person is Person.ACTOR:
            out.append(c)  # where they are named
        elif references_user(c):
            continue  # someone else on the row
        elif d is None or not d.is_personal:
            out.append(c)
    return out


@dataclass
class Section:
    table: Table
    kind: str  # "yours" | "acted"
    columns: list[Column]
    rows: list[dict]

    @property
    def name(self) -> str:
        return self.table.name if self.kind == "yours" else f"{self.table.name}-acted-on"


def sections(user_id: int) -> Iterator[Section]:
    for table in db.metadata.sorted_tables:
        if table.name == STORED_FILE:
            continue
        owned = subjects.owned_condition(table, user_id)
        if owned is not None:
            cols = own_columns(table)
            rows = db.session.execute(select(*cols).where(owned).order_by(*table.primary_key))
            found = [{c.name: _plain(v) for c, v in zip(cols, r, strict=True)} for r in rows]
            if found:
                yield Section(table, "yours", cols, found)
        acted = subjects.acted_condition(table, user_id)
        if acted is not None:
            cols = acted_columns(table)
            rows = db.session.execute(select(*cols).where(acted).order_by(*table.primary_key))
            found = [{c.name: _plain(v) for c, v in zip(cols, r, strict=True)} for r in rows]
            if found:
                yield Section(table, "acted", cols, found)


def file_refs(section: Section) -> Iterator[tuple[int, str]]:
    """(stored file id, a name for it) for each file in a person's own rows."""
    if section.kind != "yours":
        return
    file_cols = [
        c
        for c in section.table.columns
        if (d := declaration(c)) is not None
        and d.category is Category.FILE
        and any(fk.column.table.name == STORED_FILE for fk in c.foreign_keys)
    ]
    name_cols = [c for c, d in personal_columns(section.table) if d.category is Category.FILE]
    for row in section.rows:
        for col in file_cols:
            file_id = row.get(col.name)
            if file_id:
                name = next((row[n.name] for n in name_cols if row.get(n.name)), "file")
                yield file_id, f"{section.table.name}-{row.get('id', file_id)}-{name}"


def csv_bytes(section: Section) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    names = [c.name for c in section.columns]
    writer.writerow(names)
    for row in section.rows:
        writer.writerow([safe_cell(row[n]) for n in names])
    return out.getvalue().encode("utf-8-sig")


class _Sink(io.RawIOBase):
    """A write-only stream the ZIP writes into; what it holds is handed out and cleared
    after each file, so the response streams while the archive is built."""

    def __init__(self):
        self.buffer = bytearray()

    def writable(self):
        return True

    def write(self, data):
        self.buffer.extend(data)
        return len(data)

    def take(self) -> bytes:
        out = bytes(self.buffer)
        self.buffer.clear()
        return out


@dataclass
class Summary:
    tables: int = 0
    rows: int = 0
    files: int = 0


def archive(user, summary: Summary | None = None) -> Iterator[bytes]:
    """The ZIP, a piece at a time. `summary` is filled in as it goes."""
    summary = summary if summary is not None else Summary()
    sink = _Sink()
    listing: list[tuple[Section, int]] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for section in sections(user.id):
            zf.writestr(
                f"data/{section.name}.json", json.dumps(section.rows, indent=2, default=str)
            )
            zf.writestr(f"data/{section.name}.csv", csv_bytes(section))
            summary.tables += 1
            summary.rows += len(section.rows)
            listing.append((section, len(section.rows)))
            yield sink.take()
            # nothing is written while the copy streams: end the read transaction between
            # tables, so a long download never holds SQLite's write lock (a POST's BEGIN
            # takes it) or a long PostgreSQL snapshot
            db.session.rollback()
            for file_id, name in file_refs(section):
                stored = db.session.get(StoredFile, file_id)
                if stored is None:
                    continue
                safe = storage.display_name(name, stored)
                with zf.open(f"files/{safe}", "w") as out:
                    for chunk in storage.chunks(stored):
                        out.write(chunk)
                        yield sink.take()
                summary.files += 1
        cover = render_template(
            "privacy/export_cover.txt",
            user=user,
            listing=listing,
            summary=summary,
            now_text=format_datetime(utcnow()),
            notice_url=external_url("privacy.notice"),
        )
        zf.writestr("README.txt", cover)
    yield sink.take()
