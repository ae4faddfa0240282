"""An award holder's programme record: created when an application is awarded.

Entitlements are copied from the cohort at award time so a later change to the
cohort does not silently rewrite someone's year.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_type, utcnow
from app.extensions import db


class Award(db.Model):
    __tablename__ = "award"
    __table_args__ = (
        UniqueConstraint("application_id"),
        UniqueConstraint("cohort_id", "holder_id"),
        CheckConstraint("personal_award_cap_pence >= 0", name="cap_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="RESTRICT"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="RESTRICT"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    line_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    psw_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    awarded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    residential_days: Mapped[int] = mapped_column(Integer)
    study_days: Mapped[int] = mapped_column(Integer)
    personal_award_cap_pence: Mapped[int] = mapped_column(Integer)
    backfill_pence: Mapped[int] = mapped_column(Integer, default=0)

    application = relationship("Application")
    cohort = relationship("Cohort")
    holder = relationship("User", foreign_keys=[holder_id])
    employer = relationship("Organisation")
    line_manager = relationship("User", foreign_keys=[line_manager_id])
    psw = relationship("User", foreign_keys=[psw_id])
    outputs: Mapped[list[AwardOutput]] = relationship(
        back_populates="award", cascade="all, delete-orphan", order_by="AwardOutput.id"
    )


class OutputKind(enum.StrEnum):
    POSTER = "poster"
    PRESENTATION = "presentation"
    REPORT = "report"

    @property
    def label(self) -> str:
        return {
            "poster": "Creative research poster",
            "presentation": "Oral presentation on the presentation day",
            "report": "Research report with a one-page summary",
        }[self.value]


class OutputStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class AwardOutput(db.Model):
    """One of the three required outputs; its own issue adds uploads and extensions."""

    __tablename__ = "award_output"
    __table_args__ = (UniqueConstraint("award_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id", ondelete="CASCADE"), index=True)
    kind: Mapped[OutputKind] = mapped_column(enum_type(OutputKind, 32))
    status: Mapped[OutputStatus] = mapped_column(
        enum_type(OutputStatus, 32),
        default=OutputStatus.NOT_STARTED,
    )
    due_date: Mapped[date | None] = mapped_column(Date)

    award: Mapped[Award] = relationship(back_populates="outputs")
