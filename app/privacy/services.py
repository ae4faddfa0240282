"""Data protection's state changes, each with its audit entry; the caller commits."""

from __future__ import annotations

from sqlalchemy import select

from app.core import audit
from app.core.db import utcnow
from app.extensions import db
from app.privacy import retention
from app.privacy.access import Summary
from app.privacy.models import Erasure, PrivacySetting


def copy_requested(person, actor) -> None:
    own = actor is not None and actor.id == person.id
    audit.record(
        "privacy.access_requested",
        person,
        actor=actor,
        summary="Downloaded a copy of their own data"
        if own
        else "Subject access: a copy of this person's data requested",
    )


def copy_completed(person, actor, summary: Summary) -> None:
    audit.record(
        "privacy.access_completed",
        person,
        actor=actor,
        summary=f"Subject access copy complete: {summary.rows} records in {summary.tables} "
        f"lists, {summary.files} files",
        changes={"rows": [None, summary.rows], "files": [None, summary.files]},
    )


def set_unsuccessful_days(days: int, actor) -> None:
    key = retention.UNSUCCESSFUL_KEY
    row = db.session.scalars(
        select(PrivacySetting).where(PrivacySetting.key == key).with_for_update()
    ).one_or_none()
    before = row.days if row is not None else retention.days(retention.Retention.UNSUCCESSFUL)
    if row is None:
        row = PrivacySetting(key=key, days=days)
        db.session.add(row)
    row.days, row.updated_at, row.updated_by_id = days, utcnow(), getattr(actor, "id", None)
    audit.record(
        "privacy.period_set",
        object_type="PrivacySetting",
        actor=actor,
        summary=f"Unsuccessful applications kept {days} days after the decision",
        changes={"days": [before, days]},
    )


def erasure_of(person) -> Erasure | None:
    return db.session.scalars(select(Erasure).where(Erasure.user_id == person.id)).first()
