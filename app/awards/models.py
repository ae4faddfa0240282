"""An award holder's programme record: created when an application is awarded.

Entitlements are copied from the cohort at award time so a later change to the
cohort does not silently rewrite someone's year. `completed_at` is set by
`app.outputs.services.mark_complete` once every output is accepted and the release
days are reconciled (certificates read it).
"""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_type, utcnow
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, link, personal


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
    holder_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"),
        index=True,
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.SUBJECT),
    )
    employer_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    line_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        index=True,
        info=personal(Category.EMPLOYMENT, Retention.PROGRAMME, person=Person.ACTOR),
    )
    psw_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        index=True,
        info=personal(Category.EMPLOYMENT, Retention.PROGRAMME, person=Person.ACTOR),
    )
    awarded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    residential_days: Mapped[int] = mapped_column(Integer)
    study_days: Mapped[int] = mapped_column(Integer)
    personal_award_cap_pence: Mapped[int] = mapped_column(Integer)
    backfill_pence: Mapped[int] = mapped_column(Integer, default=0)
    # Every output accepted and the release days reconciled (app.outputs.services).
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)

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
    SUMMARY = "summary"

    @property
    def label(self) -> str:
        return {
            "poster": "Creative research poster",
            "presentation": "Oral presentation on the presentation day",
            "report": "Research report",
            "summary": "One-page summary of the report",
        }[self.value]

    @property
    def short(self) -> str:
        return {
            "poster": "Poster",
            "presentation": "Presentation",
            "report": "Report",
            "summary": "Summary",
        }[self.value]


class OutputStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        return {
            "not_started": "Not started",
            "draft": "Draft",
            "submitted": "Submitted",
            "changes_requested": "Changes requested",
            "accepted": "Accepted",
        }[self.value]

    @property
    def colour(self) -> str:
        return {
            "not_started": "grey",
            "draft": "yellow",
            "submitted": "blue",
            "changes_requested": "orange",
            "accepted": "green",
        }[self.value]


# Statuses in which the award holder still owes work: past the due date they are overdue.
OWING = (OutputStatus.NOT_STARTED, OutputStatus.DRAFT, OutputStatus.CHANGES_REQUESTED)


class AwardOutput(db.Model):
    """One required output of an award holder: its status, due date (extensions keep
    their history in `output_due_change`), versions and feedback (app.outputs.models),
    and the holder's consent to share it in the showcase (revocable, per output)."""

    __tablename__ = "award_output"
    __table_args__ = (
        UniqueConstraint("award_id", "kind"),
        # the showcase: accepted and consented outputs
        Index("ix_award_output_showcase", "showcase_consent", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"), index=True, info=link()
    )
    kind: Mapped[OutputKind] = mapped_column(enum_type(OutputKind, 32))
    status: Mapped[OutputStatus] = mapped_column(
        enum_type(OutputStatus, 32),
        default=OutputStatus.NOT_STARTED,
    )
    due_date: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(
        String(200), default="", info=personal(Category.PARTICIPATION, Retention.PUBLISHED)
    )
    topic: Mapped[str] = mapped_column(
        String(300), default="", info=personal(Category.PARTICIPATION, Retention.PUBLISHED)
    )
    showcase_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)

    award: Mapped[Award] = relationship(back_populates="outputs")

    def is_overdue(self, today: date) -> bool:
        return self.due_date is not None and self.due_date < today and self.status in OWING
