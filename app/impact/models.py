"""The impact log: what an award holder's research changed, entry by entry, for years
after the programme. An entry the holder writes is confirmed at once; one their line
manager, PSW or supervisor suggests waits for the holder to confirm or decline it. Only
confirmed entries count in the reports."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_type, utcnow
from app.extensions import db
from app.privacy.declare import Category as DataCategory
from app.privacy.declare import Person, Retention, link, personal


class Category(enum.StrEnum):
    SERVICE = "service"
    TOOL = "tool"
    POLICY = "policy"
    TRAINING = "training"
    PRESENTATION = "presentation"
    PUBLICATION = "publication"
    FUNDING = "funding"
    COLLABORATION = "collaboration"
    PROMOTION = "promotion"
    MEDIA = "media"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.SERVICE: "New service or team",
    Category.TOOL: "Practice tool or guidance",
    Category.POLICY: "Policy or procedure change",
    Category.TRAINING: "Training delivered",
    Category.PRESENTATION: "Presentation or conference",
    Category.PUBLICATION: "Publication",
    Category.FUNDING: "Further funding or bid",
    Category.COLLABORATION: "Collaboration with researchers",
    Category.PROMOTION: "Promotion or new role",
    Category.MEDIA: "Media or film",
}


class Reach(enum.StrEnum):
    TEAM = "team"
    AUTHORITY = "authority"
    OTHER_AUTHORITIES = "other_authorities"
    REGIONAL = "regional"
    NATIONAL = "national"
    INTERNATIONAL = "international"

    @property
    def label(self) -> str:
        return REACH_LABELS[self]


REACH_LABELS = {
    Reach.TEAM: "Own team",
    Reach.AUTHORITY: "Own authority",
    Reach.OTHER_AUTHORITIES: "Other authorities",
    Reach.REGIONAL: "Regional",
    Reach.NATIONAL: "National",
    Reach.INTERNATIONAL: "International",
}


class EntryStatus(enum.StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {"suggested": "Suggested", "confirmed": "Confirmed", "declined": "Declined"}[
            self.value
        ]


class ImpactEntry(db.Model):
    __tablename__ = "impact_entry"
    __table_args__ = (
        Index("ix_impact_entry_award_status", "award_id", "status"),
        CheckConstraint(
            "evidence_file_id IS NULL OR evidence_filename IS NOT NULL",
            name="file_has_name",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id", ondelete="CASCADE"), info=link())
    category: Mapped[Category] = mapped_column(enum_type(Category, 24))
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(
        Text, info=personal(DataCategory.PARTICIPATION, Retention.PUBLISHED)
    )
    reach: Mapped[Reach] = mapped_column(enum_type(Reach, 24))
    evidence_url: Mapped[str | None] = mapped_column(
        String(500), info=personal(DataCategory.PARTICIPATION, Retention.PUBLISHED)
    )
    evidence_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"),
        index=True,
        info=personal(DataCategory.FILE, Retention.PUBLISHED),
    )
    evidence_filename: Mapped[str | None] = mapped_column(
        String(120), info=personal(DataCategory.FILE, Retention.PUBLISHED)
    )
    status: Mapped[EntryStatus] = mapped_column(enum_type(EntryStatus, 16))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        index=True,
        info=personal(DataCategory.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR),
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    award = relationship("Award")
    created_by = relationship("User")
    evidence_file = relationship("StoredFile")

    @property
    def suggested(self) -> bool:
        return self.created_by_id != self.award.holder_id
