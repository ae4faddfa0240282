"""Rendered PDFs cached by the SHA-256 of their HTML, stored through app.core.storage.

An unchanged document is never rendered twice: the second request finds the ready row
and streams the stored file. The first request claims the render with the cache row
itself (an INSERT, unique on the key; or a compare-and-set UPDATE that takes over a
failed or abandoned render), commits the claim so every other worker sees it, renders
outside any transaction, then stores the file. Anyone asking meanwhile is told the
document is being prepared."""

from __future__ import annotations

from datetime import timedelta
from hashlib import sha256
from time import perf_counter

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from app.core import storage
from app.core.db import utcnow
from app.core.storage import StoredFile
from app.documents import render
from app.documents.models import RenderedDocument, RenderStatus
from app.extensions import db

# A claim older than this is taken to be abandoned (a worker killed mid-render).
STALE_AFTER = timedelta(minutes=2)


def document_key(html: str) -> str:
    """What the PDF depends on: the HTML, the print stylesheet and the renderer."""
    digest = sha256()
    digest.update(render.ENGINE.version_tag.encode())
    digest.update(html.encode("utf-8"))
    return digest.hexdigest()


def ready_file(key: str) -> StoredFile | None:
    row = db.session.scalar(select(RenderedDocument).where(RenderedDocument.key == key))
    if row is not None and row.status == RenderStatus.READY:
        return row.file
    return None


def _claim(key: str) -> bool:
    """True when this worker now owns the render of `key` (committed)."""
    db.session.commit()  # the claim must be its transaction's first statement (SQLite)
    try:
        with db.session.begin_nested():
            db.session.add(
                RenderedDocument(key=key, status=RenderStatus.RENDERING, claimed_at=utcnow())
            )
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
    now = utcnow()
    taken = db.session.execute(
        update(RenderedDocument)
        .where(
            RenderedDocument.key == key,
            or_(
                RenderedDocument.status == RenderStatus.FAILED,
                (RenderedDocument.status == RenderStatus.RENDERING)
                & (RenderedDocument.claimed_at < now - STALE_AFTER),
            ),
        )
        .values(status=RenderStatus.RENDERING, claimed_at=now, error="")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return taken.rowcount == 1


def _finish(key: str, **values) -> None:
    db.session.execute(
        update(RenderedDocument)
        .where(RenderedDocument.key == key, RenderedDocument.status == RenderStatus.RENDERING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def pdf_for(html: str, filename: str) -> StoredFile | None:
    """The stored PDF of `html`: from the cache, or rendered now by this worker. None
    while another worker is rendering it. RenderError when the render fails (the claim
    is released so the next request tries again)."""
    key = document_key(html)
    stored = ready_file(key)
    if stored is not None:
        return stored
    if not _claim(key):
        return ready_file(key)  # finished between our read and our claim, or still running
    started = perf_counter()
    try:
        data = render.html_to_pdf(html)
    except render.RenderError as exc:
        _finish(key, status=RenderStatus.FAILED, error=str(exc)[:300])
        db.session.commit()
        raise
    stored = storage.put(data, filename)
    _finish(
        key,
        status=RenderStatus.READY,
        file_id=stored.id,
        rendered_at=utcnow(),
        render_ms=int((perf_counter() - started) * 1000),
    )
    db.session.commit()
    return stored
