"""Bridging from the programme to research careers: each alumnus's pathway steps (the
NIHR fellowships, a PhD, a research bid, a research lead role) with their stage, dates
and a named mentor, and the pre-application review slots programme staff publish and
alumni book (one booking per slot)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_type, utcnow
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, link, not_personal, personal


class StepKind(enum.StrEnum):
    SPARC = "sparc"
    PLAF = "plaf"
    DLAF = "dlaf"
    ALAF = "alaf"
    PHD = "phd"
    BID = "bid"
    LEAD = "lead"

    @property
    def label(self) -> str:
        return {
            "sparc": "NIHR SPARC (short placement award for research collaboration)",
            "plaf": "NIHR pre-doctoral local authority fellowship (PLAF)",
            "dlaf": "NIHR doctoral local authority fellowship (DLAF)",
            "alaf": "NIHR advanced local authority fellowship (ALAF)",
            "phd": "A PhD",
            "bid": "A research bid",
            "lead": "A research lead role",
        }[self.value]


class Stage(enum.StrEnum):
    EXPLORING = "exploring"
    PREPARING = "preparing"
    SUBMITTED = "submitted"
    AWARDED = "awarded"
    NOT_FUNDED = "not_funded"

    @property
    def label(self) -> str:
        return {
            "exploring": "Exploring",
            "preparing": "Preparing",
            "submitted": "Submitted",
            "awarded": "Awarded",
            "not_funded": "Not funded",
        }[self.value]


class PathwayStep(db.Model):
    __tablename__ = "pathway_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"), index=True, info=link()
    )
    kind: Mapped[StepKind] = mapped_column(enum_type(StepKind, 16))
    stage: Mapped[Stage] = mapped_column(enum_type(Stage, 16), index=True)
    mentor: Mapped[str] = mapped_column(
        String(120), default="", info=personal(Category.CONTACT, Retention.PROGRAMME)
    )
    started_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)
    stage_on: Mapped[date] = mapped_column(Date)  # when it reached its stage
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    award = relationship("Award")


class ReviewSlot(db.Model):
    """A pre-application review an alumnus may book: taken once, by setting
    `booked_award_id` only where it is still empty."""

    __tablename__ = "review_slot"
    __table_args__ = (CheckConstraint("minutes > 0 AND minutes <= 480", name="minutes_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC
    minutes: Mapped[int] = mapped_column(Integer)
    reviewer: Mapped[str] = mapped_column(
        String(120), info=personal(Category.CONTACT, Retention.PROGRAMME)
    )
    where: Mapped[str] = mapped_column(String(200), info=not_personal())
    notes: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    booked_award_id: Mapped[int | None] = mapped_column(
        ForeignKey("award.id", ondelete="SET NULL"),
        index=True,
        info=link(),
    )
    booked_at: Mapped[datetime | None] = mapped_column(DateTime)

    booked_award = relationship("Award")
    created_by = relationship("User")
