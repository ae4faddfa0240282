"""Required outputs beyond the output row itself (app.awards.models.AwardOutput): the
cohort's output types with their guidance and due dates, uploaded versions, feedback,
due-date changes (extensions) and a cohort's published showcase page.

Nothing here is edited in place: a new version, a piece of feedback or an extension is a
new row, so who did what, and when, can always be read back."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.awards.models import OutputKind
from app.core.db import enum_type, utcnow
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, link, not_personal, personal

DEFAULT_GUIDANCE = {
    OutputKind.POSTER: (
        "A creative research poster that tells the story of your project at a glance: "
        "the question, why it matters to practice, what you did, what you found and what "
        "should change. Use pictures and few words; it is shown at the presentation day."
    ),
    OutputKind.PRESENTATION: (
        "A 15-minute talk on the presentation day to Principal Social Workers, managers, "
        "supervisors and your cohort, with 5 minutes for questions. Upload your slides."
    ),
    OutputKind.REPORT: (
        "A report aimed at your employer, with these sections: background; a focused "
        "literature review; method; findings; recommendations for practice, policy and "
        "further research."
    ),
    OutputKind.SUMMARY: (
        "One page, in plain English, that a busy manager in another authority can read "
        "in two minutes: the question, what you found and what should change."
    ),
}


class OutputType(db.Model):
    """One output a cohort's award holders owe, with its due date and guidance. A cohort
    without rows uses the defaults (every kind, due at the end of the programme)."""

    __tablename__ = "output_type"
    __table_args__ = (UniqueConstraint("cohort_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    kind: Mapped[OutputKind] = mapped_column(enum_type(OutputKind, 32))
    due_date: Mapped[date] = mapped_column(Date)
    guidance: Mapped[str] = mapped_column(Text, default="", info=not_personal())
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    cohort = relationship("Cohort")


class OutputVersion(db.Model):
    """One upload of an output; the highest number is the current one."""

    __tablename__ = "output_version"
    __table_args__ = (
        UniqueConstraint("output_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    output_id: Mapped[int] = mapped_column(
        ForeignKey("award_output.id", ondelete="CASCADE"),
        index=True,
        info=link(),
    )
    number: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"),
        index=True,
        info=personal(Category.FILE, Retention.PUBLISHED),
    )
    filename: Mapped[str] = mapped_column(
        String(120), info=personal(Category.FILE, Retention.PUBLISHED)
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        index=True,
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    output = relationship("AwardOutput")
    file = relationship("StoredFile")
    uploaded_by = relationship("User")


class Decision(enum.StrEnum):
    COMMENT = "comment"
    CHANGES = "changes"
    ACCEPT = "accept"

    @property
    def label(self) -> str:
        return {
            "comment": "Comment",
            "changes": "Changes requested",
            "accept": "Accepted",
        }[self.value]


class OutputFeedback(db.Model):
    """A supervisor's or programme staff's comment on one version, with their decision."""

    __tablename__ = "output_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    output_id: Mapped[int] = mapped_column(
        ForeignKey("award_output.id", ondelete="CASCADE"),
        index=True,
        info=link(),
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("output_version.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    decision: Mapped[Decision] = mapped_column(enum_type(Decision, 16))
    comment: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    version = relationship("OutputVersion")
    author = relationship("User")


class DueDateChange(db.Model):
    """An extension (or any change) of one output's due date: the history is kept."""

    __tablename__ = "output_due_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    output_id: Mapped[int] = mapped_column(
        ForeignKey("award_output.id", ondelete="CASCADE"),
        index=True,
        info=link(),
    )
    old_due: Mapped[date | None] = mapped_column(Date)
    new_due: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(
        String(500), info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    changed_by = relationship("User")


class ShowcasePage(db.Model):
    """A cohort's showcase page, published by programme staff."""

    __tablename__ = "showcase_page"
    __table_args__ = (UniqueConstraint("cohort_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    introduction: Mapped[str] = mapped_column(Text, default="", info=not_personal())
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )

    cohort = relationship("Cohort")
