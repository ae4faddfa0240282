"""A cohort's year: its dates, places and the rules read from it (never hard-coded)."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_type, utcnow
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, not_personal, personal

DEFAULT_AWARD_CAP_PENCE = 400_000  # GBP 4,000
DEFAULT_RESIDENTIAL_DAYS = 6
DEFAULT_STUDY_DAYS = 30


class Cohort(db.Model):
    __tablename__ = "cohort"
    __table_args__ = (
        UniqueConstraint("name"),
        CheckConstraint("programme_start < programme_end", name="programme_dates_in_order"),
        CheckConstraint("applications_open <= applications_close", name="window_in_order"),
        CheckConstraint("places > 0", name="places_positive"),
        CheckConstraint("personal_award_cap_pence >= 0", name="cap_not_negative"),
        CheckConstraint("backfill_pence >= 0", name="backfill_not_negative"),
        # cohorts in their programme year today (at-risk view, home cards)
        Index("ix_cohort_programme", "programme_start", "programme_end"),
        CheckConstraint("residential_days >= 0 AND study_days >= 0", name="days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), info=not_personal())
    description: Mapped[str] = mapped_column(Text, default="", info=not_personal())
    programme_start: Mapped[date] = mapped_column(Date)
    programme_end: Mapped[date] = mapped_column(Date)
    applications_open: Mapped[date] = mapped_column(Date)
    applications_close: Mapped[date] = mapped_column(Date)
    places: Mapped[int] = mapped_column(Integer)
    personal_award_cap_pence: Mapped[int] = mapped_column(Integer, default=DEFAULT_AWARD_CAP_PENCE)
    residential_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RESIDENTIAL_DAYS)
    study_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_STUDY_DAYS)
    backfill_pence: Mapped[int] = mapped_column(Integer, default=0)
    # Personal-award items above this need a second approver (app.money); None: never.
    second_approval_above_pence: Mapped[int | None] = mapped_column(Integer)
    scores_revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    events: Mapped[list[RecruitmentEvent]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="RecruitmentEvent.starts_at"
    )

    @property
    def release_days(self) -> int:
        return self.residential_days + self.study_days

    def window_is_open(self, today: date) -> bool:
        return self.applications_open <= today <= self.applications_close

    def window_state(self, today: date) -> str:
        if today < self.applications_open:
            return "not_open"
        if today > self.applications_close:
            return "closed"
        return "open"


class EventKind(enum.StrEnum):
    QA_SESSION = "qa_session"
    PSW_BRIEFING = "psw_briefing"

    @property
    def label(self) -> str:
        return {
            "qa_session": "Online question and answer session",
            "psw_briefing": "Briefing for Principal Social Workers",
        }[self.value]


class RecruitmentEvent(db.Model):
    __tablename__ = "recruitment_event"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="event_times_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind, 32))
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    ends_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    joining_details: Mapped[str] = mapped_column(Text, default="", info=not_personal())

    cohort: Mapped[Cohort] = relationship(back_populates="events")


class PriorityArea(db.Model):
    """An employer's published priority research area for a cohort (by its PSW)."""

    __tablename__ = "priority_area"
    __table_args__ = (UniqueConstraint("cohort_id", "organisation_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), info=not_personal())
    description: Mapped[str] = mapped_column(Text, default="", info=not_personal())
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    is_withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)

    cohort = relationship("Cohort")
    organisation = relationship("Organisation")
    published_by = relationship("User")
