"""Stored files (receipts, invoices, outputs) behind one interface.

Files live in the database, in the same transaction as the record that owns them: a
crash leaves nothing orphaned, every app server behind a load balancer sees the same
files, and one backup holds everything. Each file is stored once per content
(content-addressed by SHA-256); owners keep their own filename for it.

A file is accepted by what it contains, never by its name or declared type: PDF, PNG
and JPEG only (an HTML page or a program renamed `.pdf` is refused), up to
`STORAGE_MAX_BYTES` (10 MB by default). Downloads stream in chunks as attachments, and
only after the owning record's `can_<verb>` rule has allowed them (the caller's job).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 256 * 1024

# content type -> (leading bytes, extension, plain name)
KINDS = {
    "application/pdf": (b"%PDF-", ".pdf", "PDF"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png", "PNG"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg", "JPEG"),
}
ACCEPT = ",".join([".pdf", ".png", ".jpg", ".jpeg", *KINDS])  # for <input accept>


class StorageError(Exception):
    """The file was refused; the message is shown to the person who chose it."""


class StoredFile(db.Model):
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def extension(self) -> str:
        return KINDS.get(self.content_type, (b"", "", ""))[1]


def max_bytes() -> int:
    return int(current_app.config.get("STORAGE_MAX_BYTES") or DEFAULT_MAX_BYTES)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (of the kinds we accept), or None."""
    for content_type, (magic, _ext, _name) in KINDS.items():
        if data.startswith(magic):
            return content_type
    return None


def check(data: bytes) -> str:
    """The content type of an acceptable file; StorageError saying why not otherwise."""
    if not data:
        raise StorageError("The selected file is empty")
    if len(data) > max_bytes():
        raise StorageError(f"The selected file must be smaller than {_megabytes(max_bytes())}")
    content_type = sniff(data)
    if content_type is None:
        raise StorageError("The selected file must be a PDF, PNG or JPEG")
    return content_type


def put(data: bytes, filename: str = "", declared_type: str | None = None) -> StoredFile:
    """Store `data` in the current transaction (the caller commits with the owner) and
    return its row; the same content stored before is the same row. `filename` and
    `declared_type` are what the browser said: never trusted, the content decides."""
    content_type = check(data)
    digest = sha256(data).hexdigest()
    existing = db.session.scalar(select(StoredFile).where(StoredFile.sha256 == digest))
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
