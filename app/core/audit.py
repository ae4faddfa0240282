"""The append-only audit trail: who did what to which record, when, before/after."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, event, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, not_personal, personal


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_object", "object_type", "object_id"),
        Index("ix_audit_entry_at_id", "at", "id"),  # the log, newest first
        # the retention purge's "addresses older than the period": only entries that
        # still hold one, so the daily count reads the few not yet purged, not the trail
        Index(
            "ix_audit_entry_ip_at",
            "at",
            postgresql_where=text("ip_address IS NOT NULL"),
            sqlite_where=text("ip_address IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        index=True,
        info=personal(Category.PARTICIPATION, Retention.AUDIT, person=Person.ACTOR),
    )
    action: Mapped[str] = mapped_column(String(80), index=True, info=not_personal())
    object_type: Mapped[str] = mapped_column(String(80), info=not_personal())
    object_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(
        String(300), default="", info=personal(Category.FREE_TEXT, Retention.AUDIT)
    )
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(
        String(64), info=personal(Category.ACCOUNT, Retention.AUDIT)
    )

    actor = relationship("User", lazy="joined")


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple | list):
        return sorted(_plain(v) for v in value)
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{field: [before, after]} for the fields that changed."""
    out: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        b, a = _plain(before.get(key)), _plain(after.get(key))
        if b != a:
            out[key] = [b, a]
    return out


def record(
    action: str,
    obj: Any = None,
    *,
    actor: Any = None,
    changes: dict[str, Any] | None = None,
    summary: str = "",
    object_type: str | None = None,
    object_id: int | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None),
        object_type=object_type or (type(obj).__name__ if obj is not None else "system"),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        changes={k: [_plain(v[0]), _plain(v[1])] for k, v in (changes or {}).items()},
        summary=summary[:300],
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


class AuditIsAppendOnly(Exception):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _ctx, _instances) -> None:
    """Entries may be added, never altered or removed."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditIsAppendOnly("Audit entries cannot be changed or deleted.")
