"""Stored files (receipts, invoices, outputs) behind one interface.

Files live in the database, in the same transaction as the record that owns them: a
crash leaves nothing orphaned, every app server behind a load balancer sees the same
files, and one backup holds everything. Each file is stored once per content
(content-addressed by SHA-256); owners keep their own filename for it.

A file is accepted by what it contains, never by its name or declared type: PDF, PNG
and JPEG (an HTML page or a program renamed `.pdf` is refused), and, where the caller
allows them (outputs), PowerPoint and Word files: a zip whose `[Content_Types].xml`
declares a presentation or document main part (a macro-enabled one, or any other zip,
is refused). Up to `STORAGE_MAX_BYTES` (10 MB by default) or the caller's own limit.
Downloads stream in chunks as attachments, and only after the owning record's
`can_<verb>` rule has allowed them (the caller's job).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Iterator
from datetime import datetime
from hashlib import sha256
from urllib.parse import quote

from flask import Response, current_app, stream_with_context
from sqlalchemy import DateTime, Integer, LargeBinary, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.core.params import clean_text
from app.extensions import db
from app.privacy.declare import not_personal

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 256 * 1024

# content type -> (leading bytes, extension, plain name)
KINDS = {
    "application/pdf": (b"%PDF-", ".pdf", "PDF"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png", "PNG"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg", "JPEG"),
}
ACCEPT = ",".join([".pdf", ".png", ".jpg", ".jpeg", *KINDS])  # for <input accept>

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Office Open XML files: zips told apart by the main part their [Content_Types].xml names.
OFFICE = {
    PPTX: (b"presentationml.presentation.main+xml", ".pptx", "PowerPoint"),
    DOCX: (b"wordprocessingml.document.main+xml", ".docx", "Word"),
}
ZIP_MAGIC = b"PK\x03\x04"
ALL_KINDS = (*KINDS, *OFFICE)


class StorageError(Exception):
    """The file was refused; the message is shown to the person who chose it."""


class StoredFile(db.Model):
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, info=not_personal())
    content_type: Mapped[str] = mapped_column(String(100), info=not_personal())
    size_bytes: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def extension(self) -> str:
        return {**KINDS, **OFFICE}.get(self.content_type, (b"", "", ""))[1]


def max_bytes() -> int:
    return int(current_app.config.get("STORAGE_MAX_BYTES") or DEFAULT_MAX_BYTES)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def _office_type(data: bytes) -> str | None:
    """PPTX or DOCX when `data` is a readable zip whose content types name that main
    part; None for any other zip (a macro-enabled file, a plain archive, a broken one)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:  # a content-types list is a few KB
                return None
            types = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    if b"macroEnabled" in types or b"vbaProject" in types:  # macros: refused
        return None
    for content_type, (marker, _ext, _name) in OFFICE.items():
        if marker in types:
            return content_type
    return None


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (of the kinds we know), or None."""
    for content_type, (magic, _ext, _name) in KINDS.items():
        if data.startswith(magic):
            return content_type
    if data.startswith(ZIP_MAGIC):
        return _office_type(data)
    return None


def _names(allowed: Collection[str]) -> str:
    names = [v[2] for k, v in {**KINDS, **OFFICE}.items() if k in allowed]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def check(data: bytes, allowed: Collection[str] = tuple(KINDS), limit: int | None = None) -> str:
    """The content type of an acceptable file; StorageError saying why not otherwise.
    `allowed`: the content types the caller takes (receipts: PDF, PNG, JPEG); `limit`:
    its size limit in bytes (default STORAGE_MAX_BYTES)."""
    limit = limit or max_bytes()
    if not data:
        raise StorageError("The selected file is empty")
    if len(data) > limit:
        raise StorageError(f"The selected file must be smaller than {_megabytes(limit)}")
    content_type = sniff(data)
    if content_type is None or content_type not in allowed:
        raise StorageError(f"The selected file must be a {_names(allowed)}")
    return content_type


def put(
    data: bytes,
    filename: str = "",
    declared_type: str | None = None,
    *,
    allowed: Collection[str] = tuple(KINDS),
    limit: int | None = None,
) -> StoredFile:
    """Store `data` in the current transaction (the caller commits with the owner) and
    return its row; the same content stored before is the same row. `filename` and
    `declared_type` are what the browser said: never trusted, the content decides."""
    content_type = check(data, allowed, limit)
    digest = sha256(data).hexdigest()
    # FOR KEY SHARE on PostgreSQL: clearing out unused files (storage_cleanup) cannot
    # delete this row before our owner's row points at it; one deleted while we waited
    # is not found, and is stored again below.
    existing = db.session.scalar(
        select(StoredFile)
        .where(StoredFile.sha256 == digest)
        .with_for_update(read=True, key_share=True)
    )
    if existing is not None:
        return existing
    row = StoredFile(sha256=digest, content_type=content_type, size_bytes=len(data), data=data)
    try:
        with db.session.begin_nested():  # someone storing the same file at this moment
            db.session.add(row)
    except IntegrityError:
        return db.session.scalars(select(StoredFile).where(StoredFile.sha256 == digest)).one()
    return row


def display_name(filename: str, stored: StoredFile) -> str:
    """A safe name to keep and offer on download: no path, no control characters, and
    the extension of what the file really is."""
    base = clean_text(filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = re.sub(r"[^\w .()-]+", "", base.rsplit(".", 1)[0]).strip(" .") or "file"
    return stem[:100] + stored.extension


def chunks(stored: StoredFile) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time (never the whole file in one read)."""
    for offset in range(0, stored.size_bytes, CHUNK):
        yield db.session.scalar(
            select(func.substr(StoredFile.data, offset + 1, CHUNK)).where(
                StoredFile.id == stored.id
            )
        )


def download(stored: StoredFile, filename: str) -> Response:
    """Stream `stored` as an attachment named `filename`, with its real type."""
    ascii_name = filename.encode("ascii", "ignore").decode() or "file" + stored.extension
    ascii_name = ascii_name.replace('"', "")
    response = Response(stream_with_context(chunks(stored)), mimetype=stored.content_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Content-Length"] = str(stored.size_bytes)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
