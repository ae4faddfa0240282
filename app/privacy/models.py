"""What data protection itself stores: the periods staff set, and each erasure (with the
name and email kept under the money records' legal hold, cleared when it ends)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, not_personal, personal


class PrivacySetting(db.Model):
    """A retention period programme staff set (e.g. unsuccessful applications, in days)."""

    __tablename__ = "privacy_setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True, info=not_personal())
    days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.AUDIT, person=Person.ACTOR),
    )


class Erasure(db.Model):
    """One person erased. While money records about them are under the legal hold, their
    name and email are kept here (and only here) so the finance records can still be
    explained to an auditor; the purge clears them when the hold ends."""

    __tablename__ = "privacy_erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"),
        index=True,
        info=personal(Category.FINANCE, Retention.FINANCE, person=Person.SUBJECT),
    )
    erased_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    erased_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.AUDIT, person=Person.ACTOR),
    )
    held_until: Mapped[date | None] = mapped_column(Date)
    held_name: Mapped[str | None] = mapped_column(
        String(200), info=personal(Category.FINANCE, Retention.FINANCE)
    )
    held_email: Mapped[str | None] = mapped_column(
        String(254), info=personal(Category.FINANCE, Retention.FINANCE)
    )
