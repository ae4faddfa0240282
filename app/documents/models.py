"""Documents: handbook content staff edit per cohort, the PDF cache, learning agreements
with their electronic signatures, and who has acknowledged the managers' handbook."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
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


class HandbookKind(enum.StrEnum):
    HOLDER = "holder"
    MANAGERS = "managers"

    @property
    def label(self) -> str:
        return {
            "holder": "Award holder's handbook",
            "managers": "Handbook for managers and senior leaders",
        }[self.value]


class HandbookSection(db.Model):
    """One section of a cohort's handbook: a heading and plain text (paragraphs and "- "
    bullet lines; never HTML). Dates, figures and the residential schedule are not typed
    here: the handbook reads them from the cohort."""

    __tablename__ = "handbook_section"
    __table_args__ = (Index("ix_handbook_section_cohort_kind", "cohort_id", "kind", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    kind: Mapped[HandbookKind] = mapped_column(enum_type(HandbookKind, 16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    heading: Mapped[str] = mapped_column(String(120), info=not_personal())
    body: Mapped[str] = mapped_column(Text, default="", info=not_personal())
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )

    cohort = relationship("Cohort")


class RenderStatus(enum.StrEnum):
    RENDERING = "rendering"
    READY = "ready"
    FAILED = "failed"


class RenderedDocument(db.Model):
    """A PDF made from HTML whose SHA-256 is `key`: the same content is never rendered
    twice. The row is the lock too: the worker that inserts it (or takes over a stale or
    failed one by compare-and-set) renders; everyone else is told it is being prepared."""

    __tablename__ = "rendered_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True, info=not_personal())
    status: Mapped[RenderStatus] = mapped_column(enum_type(RenderStatus, 16))
    claimed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"),
        index=True,
        info=personal(Category.FILE, Retention.SHORT),
    )
    rendered_at: Mapped[datetime | None] = mapped_column(DateTime)
    render_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(String(300), default="", info=not_personal())

    file = relationship("StoredFile")


class AgreementStatus(enum.StrEnum):
    AWAITING = "awaiting"  # waiting for one or more signatures
    SIGNED = "signed"  # all three signed this version

    @property
    def label(self) -> str:
        return {"awaiting": "Waiting for signatures", "signed": "Signed"}[self.value]


class SignatoryRole(enum.StrEnum):
    HOLDER = "holder"
    LINE_MANAGER = "line_manager"
    ASSISTANT_DIRECTOR = "assistant_director"

    @property
    def label(self) -> str:
        return {
            "holder": "Award holder",
            "line_manager": "Line manager",
            "assistant_director": "Assistant director",
        }[self.value]


class LearningAgreement(db.Model):
    """What the award holder, their line manager and assistant director agree about the
    year. `version` goes up each time the content changes; signatures are for one version
    and the SHA-256 of exactly what was shown (`content_hash`)."""

    __tablename__ = "learning_agreement"
    __table_args__ = (CheckConstraint("version > 0", name="version_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"), unique=True, info=link()
    )
    assistant_director_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        index=True,
        info=personal(Category.EMPLOYMENT, Retention.PROGRAMME, person=Person.ACTOR),
    )
    research_question: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    study_day_pattern: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    protection: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    backfill_arrangements: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    meeting_plan: Mapped[str] = mapped_column(
        Text, default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64), default="", info=not_personal())
    status: Mapped[AgreementStatus] = mapped_column(
        enum_type(AgreementStatus, 16), default=AgreementStatus.AWAITING
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    award = relationship("Award")
    assistant_director = relationship("User")
    signatures: Mapped[list[Signature]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="Signature.id"
    )


LIVE_SQL = "voided_at IS NULL"


class Signature(db.Model):
    """One signatory's electronic signature: who, when, the name they typed and the
    SHA-256 of the exact content they read. Voided (never deleted) when the content
    changes. `reference` is what the PDF prints and staff look up."""

    __tablename__ = "agreement_signature"
    __table_args__ = (
        # one live signature per role and agreement: signing twice is refused by the database
        Index(
            "uq_agreement_signature_live",
            "agreement_id",
            "role",
            unique=True,
            sqlite_where=text(LIVE_SQL),
            postgresql_where=text(LIVE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("learning_agreement.id", ondelete="CASCADE"),
        index=True,
        info=link(),
    )
    version: Mapped[int] = mapped_column(Integer)
    role: Mapped[SignatoryRole] = mapped_column(enum_type(SignatoryRole, 32))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        index=True,
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    typed_name: Mapped[str] = mapped_column(
        String(120), info=personal(Category.CONTACT, Retention.PROGRAMME)
    )
    content_hash: Mapped[str] = mapped_column(String(64), info=not_personal())
    reference: Mapped[str] = mapped_column(String(16), unique=True, info=not_personal())
    signed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime)
    void_reason: Mapped[str] = mapped_column(
        String(300), default="", info=personal(Category.FREE_TEXT, Retention.PROGRAMME)
    )

    agreement: Mapped[LearningAgreement] = relationship(back_populates="signatures")
    user = relationship("User")


class HandbookReceipt(db.Model):
    """The managers' handbook sent to an award holder's line manager or PSW, and when they
    said they had read it."""

    __tablename__ = "handbook_receipt"
    __table_args__ = (UniqueConstraint("award_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"), index=True, info=link()
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"),
        index=True,
        info=personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.SUBJECT),
    )
    role: Mapped[str] = mapped_column(String(32), info=not_personal())  # line_manager | psw
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)

    award = relationship("Award")
    user = relationship("User")
