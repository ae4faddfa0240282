"""Academic supervision and coaching: the pools staff keep per cohort, who supervises and
coaches whom (with the history kept when someone is replaced) and the meetings logged.

An allocation is never edited into someone else: replacing a supervisor ends the current
row (`ended_on`, `end_reason`) and starts a new one, so who supervised whom, from when to
when and why it changed is always there to read."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_type, utcnow
from app.core.roles import Role
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, link, not_personal, personal

MAX_CAPACITY = 50


class PoolKind(enum.StrEnum):
    SUPERVISOR = "supervisor"
    COACH = "coach"

    @property
    def label(self) -> str:
        return {"supervisor": "Academic supervisor", "coach": "Coach"}[self.value]

    @property
    def role(self) -> Role:
        return Role.SUPERVISOR if self is PoolKind.SUPERVISOR else Role.COACH


class PoolMember(db.Model):
    """A supervisor or coach available to one cohort, with how many award holders they
    can take in it. The row is locked before every capacity check."""

    __tablename__ = "supervision_pool"
    __table_args__ = (
        UniqueConstraint("cohort_id", "user_id", "kind"),
        CheckConstraint(f"capacity >= 0 AND capacity <= {MAX_CAPACITY}", name="capacity_range"),
        CheckConstraint(
            "kind = 'coach' OR university_id IS NOT NULL", name="supervisor_university"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"),
        index=True,
        info=personal(Category.EMPLOYMENT, Retention.PROGRAMME, person=Person.SUBJECT),
    )
    kind: Mapped[PoolKind] = mapped_column(enum_type(PoolKind, 16))
    university_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    expertise: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.EMPLOYMENT, Retention.PROGRAMME)
    )
    capacity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    cohort = relationship("Cohort")
    user = relationship("User")
    university = relationship("Organisation")


CURRENT_SQL = "ended_on IS NULL"


class Allocation(db.Model):
    """One supervisor or coach for one award holder, from `started_on` until `ended_on`
    (open while current). The database allows one current row per holder and kind."""

    __tablename__ = "supervision_allocation"
    __table_args__ = (
        Index(
            "uq_supervision_allocation_current",
            "award_id",
            "kind",
            unique=True,
            sqlite_where=text(CURRENT_SQL),
            postgresql_where=text(CURRENT_SQL),
        ),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"), index=True, info=link()
    )
    pool_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_pool.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"),
        index=True,
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    kind: Mapped[PoolKind] = mapped_column(enum_type(PoolKind, 16))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(
        String(500), default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )  # why this one started
    end_reason: Mapped[str] = mapped_column(
        String(500), default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    override_reason: Mapped[str] = mapped_column(
        String(500), default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )  # over capacity
    allocated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    ended_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    award = relationship("Award")
    pool = relationship("PoolMember")
    user = relationship("User", foreign_keys=[user_id])
    allocated_by = relationship("User", foreign_keys=[allocated_by_id])
    ended_by = relationship("User", foreign_keys=[ended_by_id])

    def covers(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


class MeetingKind(enum.StrEnum):
    SUPERVISION = "supervision"
    COACHING = "coaching"
    GROUP_COACHING = "group_coaching"
    THREE_WAY = "three_way"

    @property
    def label(self) -> str:
        return {
            "supervision": "Supervision meeting",
            "coaching": "Individual coaching session",
            "group_coaching": "Group coaching session",
            "three_way": "Three-way meeting (award holder, supervisor and line manager)",
        }[self.value]

    @property
    def short(self) -> str:
        return {
            "supervision": "Supervision",
            "coaching": "Coaching",
            "group_coaching": "Group coaching",
            "three_way": "Three-way meeting",
        }[self.value]


class Meeting(db.Model):
    """A meeting logged by a supervisor, coach or award holder. Notes and agreed actions
    are for the people in the meeting and programme staff only."""

    __tablename__ = "supervision_meeting"
    __table_args__ = (
        CheckConstraint("minutes > 0 AND minutes <= 600", name="minutes_range"),
        Index("ix_supervision_meeting_cohort_held", "cohort_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    kind: Mapped[MeetingKind] = mapped_column(enum_type(MeetingKind, 32))
    held_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    actions: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    logged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    logged_by = relationship("User")
    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Attendee.id"
    )


class Attendee(db.Model):
    """One person in a meeting. Award holders' rows carry their award and whether they
    confirmed the entry (their own entries are confirmed when logged)."""

    __tablename__ = "supervision_attendee"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_meeting.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"),
        index=True,
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.SUBJECT),
    )
    award_id: Mapped[int | None] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"),
        index=True,
        info=link(),
    )
    role: Mapped[str] = mapped_column(
        String(32), info=not_personal()
    )  # award_holder, supervisor, coach, line_manager
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    user = relationship("User")


class OnboardingItem(enum.StrEnum):
    """The onboarding checklist items someone ticks. Supervisor and coach allocated and
    residential registration are read from their own records, not ticked."""

    LIBRARY_REQUESTED = "library_requested"
    LIBRARY_GRANTED = "library_granted"
    LEARNING_AGREEMENT = "learning_agreement"
    HANDBOOK = "handbook"
    BACKFILL = "backfill"

    @property
    def label(self) -> str:
        return {
            "library_requested": "University library access requested",
            "library_granted": "University library access granted",
            "learning_agreement": "Learning agreement signed",
            "handbook": "Managers' handbook acknowledged by the line manager",
            "backfill": "Backfill arrangement agreed",
        }[self.value]


class OnboardingTick(db.Model):
    """One ticked checklist item for one award holder: when, and by whom. Unticking
    deletes the row (the audit log keeps both)."""

    __tablename__ = "onboarding_tick"
    __table_args__ = (UniqueConstraint("award_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"), index=True, info=link()
    )
    item: Mapped[OnboardingItem] = mapped_column(enum_type(OnboardingItem, 32))
    done_on: Mapped[date] = mapped_column(Date)
    ticked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    ticked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    ticked_by = relationship("User")
