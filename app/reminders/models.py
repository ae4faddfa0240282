"""A reminder is a row: who, about what, for which period, when it became due, the link,
and what became of it (emailed, held for the person's weekly digest, or skipped with a
reason staff can read). The unique key (rule, subject, period, person) is what makes a
reminder go once: two sweeps at once, or a sweep after a restart, cannot add it twice.

The same rows are the in-app notifications: a person's list is their reminders that were
not skipped, unread until they mark them read."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, not_personal, personal


class Reminder(db.Model):
    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("rule", "subject_id", "period", "user_id", name="uq_reminder_once"),
        Index("ix_reminder_rule_created", "rule", "created_at"),
        Index("ix_reminder_created_id", "created_at", "id"),  # staff's list, newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(
        String(40), info=not_personal()
    )  # a kind in app.reminders.registry
    subject_id: Mapped[int] = mapped_column()  # the award, the output...: the rule says which
    period: Mapped[str] = mapped_column(
        String(40), info=not_personal()
    )  # e.g. the oldest request's date
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        index=True,
        info=personal(Category.CONTACT, Retention.SHORT, person=Person.SUBJECT),
    )
    due_on: Mapped[date] = mapped_column(Date)
    link: Mapped[str] = mapped_column(String(500), info=not_personal())
    title: Mapped[str] = mapped_column(
        String(300),
        default="",
        server_default="",
        info=personal(Category.FREE_TEXT, Retention.SHORT),
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True
    )  # indexed: the outbox's check before sending joins on it (withdraw_resolved)
    # Held for the person's weekly digest: sent_at and digest_message_id are set when the
    # digest goes.
    digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    digest_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL")
    )
    # nothing sent: why (it names the person: "Sam Okafor has left")
    skip_reason: Mapped[str | None] = mapped_column(
        String(300), info=personal(Category.FREE_TEXT, Retention.SHORT)
    )
    read_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User")
    message = relationship("OutboxMessage", foreign_keys=[outbox_message_id])
    digest_message = relationship("OutboxMessage", foreign_keys=[digest_message_id])

    @property
    def state(self) -> str:
        """What became of it, down to its email's state in the outbox (queued, sent,
        held with no mail server, failed after every retry)."""
        if self.skip_reason:
            return "Not sent"
        if self.digest and self.sent_at is None:
            return "Waiting for the weekly digest"
        msg = self.digest_message if self.digest else self.message
        where = "In the weekly digest" if self.digest else "Email"
        return f"{where}: {msg.status.label.lower()}" if msg is not None else where


class CohortReminderSetting(db.Model):
    """A reminder kind staff turned off (or back on) for one cohort. No row: on."""

    __tablename__ = "reminder_cohort_setting"
    __table_args__ = (UniqueConstraint("cohort_id", "kind", name="uq_reminder_cohort_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40), info=not_personal())
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReminderPreference(db.Model):
    """A person's choices: a weekly digest instead of single emails, and the kinds that
    are not mandatory they turned off (a comma-separated list of kind names). No row:
    single emails, every kind."""

    __tablename__ = "reminder_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"),
        primary_key=True,
        info=personal(Category.CONTACT, Retention.ACCOUNT, person=Person.SUBJECT),
    )
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    muted: Mapped[str] = mapped_column(String(500), default="", info=not_personal())
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def muted_kinds(self) -> set[str]:
        return {k for k in self.muted.split(",") if k}
