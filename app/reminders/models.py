"""A reminder is a row: who, about what, for which period, when it became due, the link,
and when it was sent. The unique key (rule, subject, period, person) is what makes a
reminder go once: two sweeps at once, or a sweep after a restart, cannot add it twice."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db


class Reminder(db.Model):
    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("rule", "subject_id", "period", "user_id", name="uq_reminder_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))  # e.g. "study_days_pending"
    subject_id: Mapped[int] = mapped_column()  # the award, the output...: the rule says which
    period: Mapped[str] = mapped_column(String(40))  # e.g. the oldest request's date
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date] = mapped_column(Date)
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL")
    )

    user = relationship("User")
