"""Cohort evaluation surveys. An invitation says who was asked and whether they have
answered (a yes, with no time); a response holds the answers and, only when the person
chose to be named, who gave them. An anonymous response has no column, time or audit
entry that leads back to a person: nothing in the schema joins it to an invitation."""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import uuid4

from sqlalchemy import (
    Boolean,
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

from app.core.db import enum_type, utcnow
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, not_personal, personal


class SurveyKind(enum.StrEnum):
    END = "end"
    FOLLOW_UP = "follow_up"

    @property
    def label(self) -> str:
        return {"end": "End of the programme year", "follow_up": "12 months later"}[self.value]


class Group(enum.StrEnum):
    HOLDER = "award_holder"
    MANAGER = "line_manager"
    PSW = "psw"
    SUPERVISOR = "supervisor"

    @property
    def label(self) -> str:
        return {
            "award_holder": "Award holders",
            "line_manager": "Line managers",
            "psw": "Principal Social Workers",
            "supervisor": "Academic supervisors",
        }[self.value]


class Survey(db.Model):
    __tablename__ = "survey"
    __table_args__ = (
        UniqueConstraint("cohort_id", "kind"),
        CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    kind: Mapped[SurveyKind] = mapped_column(enum_type(SurveyKind, 16))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    cohort = relationship("Cohort")


class Invitation(db.Model):
    __tablename__ = "survey_invitation"
    __table_args__ = (UniqueConstraint("survey_id", "user_id", "group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"),
        index=True,
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.SUBJECT),
    )
    group: Mapped[Group] = mapped_column(enum_type(Group, 16))
    answered: Mapped[bool] = mapped_column(Boolean, default=False)

    survey = relationship("Survey")


class Response(db.Model):
    """No time, no invitation and no key to a person: an anonymous response cannot be
    matched to who answered, or when. `respondent_name` is kept only when the person
    chose to give it (staff may then follow up); it is never shown beside answers."""

    __tablename__ = "survey_response"

    # random, not a sequence: the order of responses says nothing about who answered when
    id: Mapped[str] = mapped_column(
        String(32), primary_key=True, default=lambda: uuid4().hex, info=not_personal()
    )
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    group: Mapped[Group] = mapped_column(enum_type(Group, 16))
    respondent_name: Mapped[str | None] = mapped_column(
        String(200), info=personal(Category.CONTACT, Retention.PROGRAMME)
    )


class Answer(db.Model):
    """Keyed by response and question (no sequence of its own, for the same reason)."""

    __tablename__ = "survey_answer"
    __table_args__ = (
        CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score_range"),
    )

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"),
        primary_key=True,
        info=not_personal(),
    )
    question: Mapped[str] = mapped_column(String(8), primary_key=True, info=not_personal())
    score: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(
        Text, info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
