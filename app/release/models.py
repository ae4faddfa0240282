"""The 36-day release ledger: one row per booked day. Balances are always computed
from these rows, never kept in a counter that could drift."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_type, utcnow
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, link, not_personal, personal


class DayKind(enum.StrEnum):
    STUDY = "study"
    RESIDENTIAL = "residential"

    @property
    def label(self) -> str:
        return {"study": "Study day", "residential": "Residential workshop"}[self.value]


class DayStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    TAKEN = "taken"
    CALLED_BACK = "called_back"  # approved, but called back to work: returned to the balance

    @property
    def label(self) -> str:
        return {
            "requested": "Waiting for approval",
            "approved": "Approved",
            "declined": "Declined",
            "cancelled": "Cancelled",
            "taken": "Taken",
            "called_back": "Called back to work",
        }[self.value]


# Statuses that hold a date and count against the entitlement.
ACTIVE = (DayStatus.REQUESTED, DayStatus.APPROVED, DayStatus.TAKEN)
ACTIVE_SQL = "status IN ('requested', 'approved', 'taken')"
# Statuses that count towards the pace (services.pace: approved and taken).
COMMITTED_SQL = "status IN ('approved', 'taken')"


class ReleaseDay(db.Model):
    __tablename__ = "release_day"
    __table_args__ = (
        # A date can be booked once: enforced by the database, not only in Python.
        Index(
            "uq_release_day_active_date",
            "award_id",
            "day",
            unique=True,
            sqlite_where=text(ACTIVE_SQL),
            postgresql_where=text(ACTIVE_SQL),
        ),
        # Balances and pace sum half-days by award, status and kind: covered by the index alone.
        Index("ix_release_day_award_sums", "award_id", "status", "kind", "half_days"),
        # Pace sums each award's approved and taken half-days (oversight.pace_sql): only
        # those rows, covered, so the at-risk pages read no other entry.
        Index(
            "ix_release_day_committed",
            "award_id",
            "half_days",
            sqlite_where=text(COMMITTED_SQL),
            postgresql_where=text(COMMITTED_SQL),
        ),
        Index("ix_release_day_status_day", "status", "day"),
        CheckConstraint("half_days IN (1, 2)", name="whole_or_half"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"), index=True, info=link()
    )
    day: Mapped[date] = mapped_column(Date)
    half_days: Mapped[int] = mapped_column(Integer, default=2)  # 2 = whole day, 1 = half day
    kind: Mapped[DayKind] = mapped_column(enum_type(DayKind, 16), default=DayKind.STUDY)
    status: Mapped[DayStatus] = mapped_column(enum_type(DayStatus, 16), default=DayStatus.REQUESTED)
    note: Mapped[str] = mapped_column(
        String(500), default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    retrospective: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    decided_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )  # the manager a delegate acted for
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )  # decline, cancel or call-back reason
    cancelled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)  # cancelled/taken/called back

    award = relationship("Award")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    decided_for = relationship("User", foreign_keys=[decided_for_id])

    @property
    def days(self) -> float:
        return self.half_days / 2


class Delegation(db.Model):
    """A line manager on leave lets a named colleague approve for a date range."""

    __tablename__ = "approval_delegation"
    __table_args__ = (
        CheckConstraint("starts_on <= ends_on", name="dates_in_order"),
        CheckConstraint("manager_id != delegate_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"),
        index=True,
        info=personal(Category.EMPLOYMENT, Retention.ACCOUNT, person=Person.SUBJECT),
    )
    delegate_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"),
        index=True,
        info=personal(Category.EMPLOYMENT, Retention.ACCOUNT, person=Person.ACTOR),
    )
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    manager = relationship("User", foreign_keys=[manager_id])
    delegate = relationship("User", foreign_keys=[delegate_id])


class CalendarFeed(db.Model):
    """A private iCalendar feed address. Only a hash of the secret is stored."""

    __tablename__ = "calendar_feed"
    __table_args__ = (
        # One live address per person and calendar: replacing one revokes the old first.
        Index(
            "uq_calendar_feed_live",
            "user_id",
            "scope",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"),
        index=True,
        info=personal(Category.ACCOUNT, Retention.ACCOUNT, person=Person.SUBJECT),
    )
    scope: Mapped[str] = mapped_column(
        String(16), info=not_personal()
    )  # "self" (award holder), "team" (manager) or "communities" (any member)
    token_hash: Mapped[str] = mapped_column(
        String(64), unique=True, info=personal(Category.ACCOUNT, Retention.ACCOUNT, export=False)
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User")
