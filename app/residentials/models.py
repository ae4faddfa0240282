"""Residential workshops: a cohort's two-day workshops, their timetables, each award
holder's registration and the register kept on each day.

Attendance is not the ledger: a day marked present points at the residential day it
wrote into the award holder's release ledger (`release_day_id`), which the release
services own."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_type, utcnow
from app.core.workdays import daterange
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, link, not_personal, personal

WORKSHOP_DAYS = 2  # the evaluation's residentials: three of two days each
NEEDS_KEPT_DAYS = 30  # accommodation, dietary and access needs: cleared after the workshop


class Workshop(db.Model):
    __tablename__ = "workshop"
    __table_args__ = (
        UniqueConstraint("cohort_id", "number"),
        CheckConstraint("starts_on <= ends_on", name="dates_in_order"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    venue: Mapped[str] = mapped_column(String(200), info=not_personal())
    address: Mapped[str] = mapped_column(Text, default="", info=not_personal())
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    arrival_time: Mapped[time] = mapped_column(Time)
    departure_time: Mapped[time] = mapped_column(Time)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    cohort = relationship("Cohort")
    sessions: Mapped[list[WorkshopSession]] = relationship(
        back_populates="workshop",
        cascade="all, delete-orphan",
        order_by="(WorkshopSession.day, WorkshopSession.starts_at)",
    )

    @property
    def title(self) -> str:
        return f"Residential workshop {self.number}"

    @property
    def days(self) -> list[date]:
        return list(daterange(self.starts_on, self.ends_on))


class WorkshopSession(db.Model):
    """One item of a day's timetable. Speakers are named as text: no account needed."""

    __tablename__ = "workshop_session"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="times_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    title: Mapped[str] = mapped_column(String(200), info=not_personal())
    speaker: Mapped[str] = mapped_column(String(200), default="", info=not_personal())
    room: Mapped[str] = mapped_column(String(100), default="", info=not_personal())
    description: Mapped[str] = mapped_column(Text, default="", info=not_personal())

    workshop: Mapped[Workshop] = relationship(back_populates="sessions")


class Mark(enum.StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    APOLOGIES = "apologies"

    @property
    def label(self) -> str:
        return {"present": "Present", "absent": "Absent", "apologies": "Apologies"}[self.value]


class Attendance(db.Model):
    """One award holder on one day of a workshop: the register's mark, or apologies the
    holder sent in advance (staff can overrule them)."""

    __tablename__ = "workshop_attendance"
    __table_args__ = (UniqueConstraint("workshop_id", "award_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    award_id: Mapped[int] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"), index=True, info=link()
    )
    day: Mapped[date] = mapped_column(Date)
    mark: Mapped[Mark] = mapped_column(enum_type(Mark, 16))
    reason: Mapped[str] = mapped_column(
        String(500), default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    release_day_id: Mapped[int | None] = mapped_column(
        ForeignKey("release_day.id", ondelete="SET NULL")
    )
    marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    marked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # the holder checked in by scanning the venue's QR code; staff saving a mark clear it
    by_qr: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    workshop = relationship("Workshop")
    award = relationship("Award")
    marked_by = relationship("User")


class Registration(db.Model):
    """An award holder's reply for one workshop. Needs are for programme staff only, and
    are cleared NEEDS_KEPT_DAYS after the workshop (`flask clear-residential-needs`)."""

    __tablename__ = "workshop_registration"
    __table_args__ = (UniqueConstraint("workshop_id", "award_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    award_id: Mapped[int] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"), index=True, info=link()
    )
    attending: Mapped[bool] = mapped_column(Boolean)
    accommodation: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.SPECIAL, Retention.AFTER_WORKSHOP)
    )
    dietary: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.SPECIAL, Retention.AFTER_WORKSHOP)
    )
    access: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.SPECIAL, Retention.AFTER_WORKSHOP)
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    needs_cleared_at: Mapped[datetime | None] = mapped_column(DateTime)

    workshop = relationship("Workshop")
    award = relationship("Award")

    @property
    def has_needs(self) -> bool:
        return bool(self.accommodation or self.dietary or self.access)


# The presentation day -----------------------------------------------------------------------


class ProgrammeStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class PresentationDay(db.Model):
    """A cohort's presentation day (the last day of its last workshop): when invitations
    went out, and whether the running order is published to the invitees."""

    __tablename__ = "presentation_day"
    __table_args__ = (UniqueConstraint("cohort_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    status: Mapped[ProgrammeStatus] = mapped_column(
        enum_type(ProgrammeStatus, 16), default=ProgrammeStatus.DRAFT
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )

    cohort = relationship("Cohort")
    slots: Mapped[list[PresentationSlot]] = relationship(
        back_populates="day",
        cascade="all, delete-orphan",
        order_by="(PresentationSlot.starts_at, PresentationSlot.id)",
    )


class PresentationSlot(db.Model):
    """One award holder's presentation: when, and its title (from the research question
    until the holder's oral presentation output gives one; staff can change it)."""

    __tablename__ = "presentation_slot"
    __table_args__ = (
        UniqueConstraint("day_id", "award_id"),
        CheckConstraint("starts_at < ends_at", name="times_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(
        ForeignKey("presentation_day.id", ondelete="CASCADE"), index=True
    )
    award_id: Mapped[int] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"), index=True, info=link()
    )
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    title: Mapped[str] = mapped_column(
        String(300), info=personal(Category.PARTICIPATION, Retention.PROGRAMME)
    )

    day: Mapped[PresentationDay] = relationship(back_populates="slots")
    award = relationship("Award")


class Reply(enum.StrEnum):
    WAITING = "waiting"
    ATTENDING = "attending"
    NOT_ATTENDING = "not_attending"

    @property
    def label(self) -> str:
        return {
            "waiting": "No reply yet",
            "attending": "Attending",
            "not_attending": "Not attending",
        }[self.value]


class Invitation(db.Model):
    """One person invited to a cohort's presentation day (a PSW, line manager or supervisor
    of one or more of its award holders; `about` says whose). The reply link carries
    `reply_count`: each reply moves it on, so a link works once per reply."""

    __tablename__ = "presentation_invitation"
    __table_args__ = (
        UniqueConstraint("cohort_id", "invitee_id"),
        CheckConstraint("reply_count >= 0", name="reply_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    invitee_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"),
        index=True,
        info=personal(Category.CONTACT, Retention.PROGRAMME, person=Person.SUBJECT),
    )
    about: Mapped[str] = mapped_column(
        String(500), default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    reply: Mapped[Reply] = mapped_column(enum_type(Reply, 16), default=Reply.WAITING)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )

    cohort = relationship("Cohort")
    invitee = relationship("User", foreign_keys=[invitee_id])
