"""Applications, their PSW sign-offs, reviews and status history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
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
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, link, not_personal, personal


def _enum(cls, length: int = 32):
    return enum_type(cls, length)


class AppStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for the PSW
    ENDORSED = "endorsed"  # PSW signed
    PSW_DECLINED = "psw_declined"
    SHORTLISTED = "shortlisted"
    WAITLISTED = "waitlisted"
    AWARDED = "awarded"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    AppStatus.DRAFT: "Draft",
    AppStatus.SUBMITTED: "Waiting for PSW sign-off",
    AppStatus.ENDORSED: "Signed off by PSW",
    AppStatus.PSW_DECLINED: "Not endorsed by PSW",
    AppStatus.SHORTLISTED: "Shortlisted",
    AppStatus.WAITLISTED: "Waiting list",
    AppStatus.AWARDED: "Awarded",
    AppStatus.DECLINED: "Not successful",
    AppStatus.WITHDRAWN: "Withdrawn",
}


class ServiceArea(enum.StrEnum):
    ADULTS = "adults"
    CHILDREN = "children_families"

    @property
    def label(self) -> str:
        return {"adults": "Adults", "children_families": "Children and families"}[self.value]


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    SELF_DESCRIBE = "self_describe"
    NOT_SAID = "prefer_not_to_say"

    @property
    def label(self) -> str:
        return {
            "female": "Female",
            "male": "Male",
            "non_binary": "Non-binary",
            "self_describe": "Prefer to self-describe",
            "prefer_not_to_say": "Prefer not to say",
        }[self.value]


class Degree(enum.StrEnum):
    DIPLOMA = "diploma"
    BACHELORS = "bachelors"
    PG_DIPLOMA = "pg_diploma"
    MASTERS = "masters"
    DOCTORATE = "doctorate"

    @property
    def label(self) -> str:
        return {
            "diploma": "Diploma (for example DipSW)",
            "bachelors": "Bachelor's degree",
            "pg_diploma": "Postgraduate certificate or diploma",
            "masters": "Master's degree",
            "doctorate": "Doctorate",
        }[self.value]


class PriorResearch(enum.StrEnum):
    NONE = "none"
    MODULE = "module"
    UG_DISSERTATION = "ug_dissertation"
    MA_DISSERTATION = "ma_dissertation"
    PG_RESEARCH = "pg_research"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "none": "No formal research experience",
            "module": "A research module on my social work (or professional) course",
            "ug_dissertation": "An undergraduate dissertation",
            "ma_dissertation": "A master's dissertation",
            "pg_research": (
                "Postgraduate research training (for example a PG Cert in research methods)"
            ),
            "other": "Other research experience",
        }[self.value]


# unsuccessful applications, which the retention purge deletes after the period staff set
# (privacy.purge); as SQL for the index that finds those past it
UNSUCCESSFUL = (AppStatus.DECLINED, AppStatus.PSW_DECLINED, AppStatus.WITHDRAWN)
UNSUCCESSFUL_STATUSES = "status IN ({})".format(", ".join(f"'{s.value}'" for s in UNSUCCESSFUL))


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (
        UniqueConstraint("cohort_id", "applicant_id"),
        Index("ix_application_cohort_status", "cohort_id", "status"),
        # the retention purge's unsuccessful applications past the period (privacy.purge)
        Index(
            "ix_application_unsuccessful_decided",
            text("coalesce(decided_at, updated_at)"),
            postgresql_where=text(UNSUCCESSFUL_STATUSES),
            sqlite_where=text(UNSUCCESSFUL_STATUSES),
        ),
        CheckConstraint(
            "years_qualified IS NULL OR (years_qualified >= 0 AND years_qualified <= 60)",
            name="years_qualified_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="RESTRICT"), index=True)
    applicant_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"),
        index=True,
        info=personal(Category.PARTICIPATION, Retention.UNSUCCESSFUL, person=Person.SUBJECT),
    )
    status: Mapped[AppStatus] = mapped_column(_enum(AppStatus), default=AppStatus.DRAFT, index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumped on every submission
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_message: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.UNSUCCESSFUL)
    )

    # 1. Personal details
    phone: Mapped[str] = mapped_column(
        String(40), default="", info=personal(Category.CONTACT, Retention.UNSUCCESSFUL)
    )
    gender: Mapped[Gender | None] = mapped_column(
        _enum(Gender), info=personal(Category.SPECIAL, Retention.UNSUCCESSFUL)
    )
    gender_self: Mapped[str] = mapped_column(
        String(100), default="", info=personal(Category.SPECIAL, Retention.UNSUCCESSFUL)
    )
    # 2. Employment
    employer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    service_area: Mapped[ServiceArea | None] = mapped_column(_enum(ServiceArea), index=True)
    team: Mapped[str] = mapped_column(
        String(200), default="", info=personal(Category.EMPLOYMENT, Retention.UNSUCCESSFUL)
    )
    current_role: Mapped[str] = mapped_column(
        String(200), default="", info=personal(Category.EMPLOYMENT, Retention.UNSUCCESSFUL)
    )
    is_social_worker: Mapped[bool | None] = mapped_column(Boolean)
    profession: Mapped[str] = mapped_column(
        String(200), default="", info=personal(Category.EMPLOYMENT, Retention.UNSUCCESSFUL)
    )
    # 3. Qualifications and experience
    professional_qualification: Mapped[str] = mapped_column(
        String(200), default="", info=personal(Category.EMPLOYMENT, Retention.UNSUCCESSFUL)
    )
    highest_degree: Mapped[Degree | None] = mapped_column(_enum(Degree))
    years_qualified: Mapped[int | None] = mapped_column(Integer)
    prior_research: Mapped[PriorResearch | None] = mapped_column(_enum(PriorResearch))
    prior_research_details: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.EMPLOYMENT, Retention.UNSUCCESSFUL)
    )
    # 4. The research
    research_question: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.UNSUCCESSFUL)
    )
    background: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.UNSUCCESSFUL)
    )
    strategic_relevance: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.UNSUCCESSFUL)
    )
    priority_area_id: Mapped[int | None] = mapped_column(
        ForeignKey("priority_area.id", ondelete="SET NULL")
    )
    methods: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.UNSUCCESSFUL)
    )
    expected_impact: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.UNSUCCESSFUL)
    )
    # 5. Line manager and PSW
    line_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        index=True,
        info=personal(Category.EMPLOYMENT, Retention.UNSUCCESSFUL, person=Person.ACTOR),
    )
    psw_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        index=True,
        info=personal(Category.EMPLOYMENT, Retention.UNSUCCESSFUL, person=Person.ACTOR),
    )
    # 6. Declarations
    declare_accurate: Mapped[bool] = mapped_column(Boolean, default=False)
    declare_commitment: Mapped[bool] = mapped_column(Boolean, default=False)

    cohort = relationship("Cohort")
    applicant = relationship("User", foreign_keys=[applicant_id])
    employer = relationship("Organisation")
    priority_area = relationship("PriorityArea")
    line_manager = relationship("User", foreign_keys=[line_manager_id])
    psw = relationship("User", foreign_keys=[psw_id])
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", cascade="all, delete-orphan"
    )
    sign_offs: Mapped[list[SignOff]] = relationship(
        back_populates="application", order_by="SignOff.id"
    )

    @property
    def current_sign_off(self) -> SignOff | None:
        """The PSW decision on this version of the application, if any."""
        for s in reversed(self.sign_offs):
            if s.application_version == self.version:
                return s
        return None


class SignOffDecision(enum.StrEnum):
    ENDORSED = "endorsed"
    DECLINED = "declined"


class SignOff(db.Model):
    """A PSW's decision. Written once, never altered (see the guard in services)."""

    __tablename__ = "sign_off"
    __table_args__ = (
        UniqueConstraint("application_id", "application_version"),
        CheckConstraint(
            "decision != 'endorsed' OR (confirmed_release AND confirmed_strategic)",
            name="endorsement_confirms_both",
        ),
        # a PSW's list of sign-offs for their authority, newest first
        Index("ix_sign_off_employer_signed", "employer_id", "signed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"),
        index=True,
        info=link(),
    )
    application_version: Mapped[int] = mapped_column(Integer)
    psw_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"),
        index=True,
        info=personal(Category.EMPLOYMENT, Retention.UNSUCCESSFUL, person=Person.ACTOR),
    )
    employer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"))
    decision: Mapped[SignOffDecision] = mapped_column(_enum(SignOffDecision))
    confirmed_release: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_strategic: Mapped[bool] = mapped_column(Boolean, default=False)
    release_days: Mapped[int] = mapped_column(Integer)  # what was confirmed, from the cohort
    release_statement: Mapped[str] = mapped_column(Text, default="", info=not_personal())
    strategic_statement: Mapped[str] = mapped_column(Text, default="", info=not_personal())
    reason: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.UNSUCCESSFUL)
    )
    content_hash: Mapped[str] = mapped_column(String(64), info=not_personal())
    signed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="sign_offs")
    psw = relationship("User")


class Review(db.Model):
    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("application_id", "reviewer_id"),
        CheckConstraint("score >= 1 AND score <= 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"),
        index=True,
        info=link(),
    )
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"),
        index=True,
        info=personal(Category.PARTICIPATION, Retention.UNSUCCESSFUL, person=Person.ACTOR),
    )
    score: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.UNSUCCESSFUL)
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    reviewer = relationship("User")


class ApplicationEvent(db.Model):
    """The status history the applicant sees."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"),
        index=True,
        info=link(),
    )
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    from_status: Mapped[AppStatus | None] = mapped_column(_enum(AppStatus))
    to_status: Mapped[AppStatus] = mapped_column(_enum(AppStatus))
    message: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.UNSUCCESSFUL)
    )

    application: Mapped[Application] = relationship(back_populates="events")
    actor = relationship("User")
