"""Employers and universities, and who belongs to them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_type, utcnow
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, not_personal, personal

if TYPE_CHECKING:
    from app.accounts.models import User


class OrgKind(enum.StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    NHS_TRUST = "nhs_trust"
    THIRD_SECTOR = "third_sector"
    UNIVERSITY = "university"
    PROGRAMME_OFFICE = "programme_office"

    @property
    def label(self) -> str:
        return {
            "local_authority": "Local authority",
            "nhs_trust": "NHS trust",
            "third_sector": "Third sector organisation",
            "university": "University",
            "programme_office": "Programme office",
        }[self.value]


class Nation(enum.StrEnum):
    """Bank holidays differ by nation; the release ledger needs the employer's."""

    ENGLAND_AND_WALES = "england_and_wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"

    @property
    def label(self) -> str:
        return {
            "england_and_wales": "England and Wales",
            "scotland": "Scotland",
            "northern_ireland": "Northern Ireland",
        }[self.value]


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        UniqueConstraint("name"),
        CheckConstraint(
            "kind != 'local_authority' OR adults_services OR childrens_services",
            name="la_has_service",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), info=not_personal())
    kind: Mapped[OrgKind] = mapped_column(enum_type(OrgKind, 32), index=True)
    adults_services: Mapped[bool] = mapped_column(Boolean, default=False)
    childrens_services: Mapped[bool] = mapped_column(Boolean, default=False)
    nation: Mapped[Nation] = mapped_column(
        enum_type(Nation, 32),
        default=Nation.ENGLAND_AND_WALES,
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    @property
    def is_employer(self) -> bool:
        return self.kind in (OrgKind.LOCAL_AUTHORITY, OrgKind.NHS_TRUST, OrgKind.THIRD_SECTOR)

    @property
    def services_label(self) -> str:
        parts = []
        if self.adults_services:
            parts.append("adults")
        if self.childrens_services:
            parts.append("children and families")
        return " and ".join(parts).capitalize() if parts else ""

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"),
        index=True,
        info=personal(Category.EMPLOYMENT, Retention.ACCOUNT, person=Person.SUBJECT),
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")
