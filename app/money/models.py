"""The personal award's spending items and their receipts. Amounts are integer pence;
every figure (approved, pending, remaining) is summed from these rows, never stored."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_type, utcnow
from app.extensions import db
from app.privacy.declare import Category as DataCategory
from app.privacy.declare import Person, Retention, link, not_personal, personal


class Category(enum.StrEnum):
    CONFERENCE = "conference"
    TRAVEL = "travel"
    BOOKS = "books"
    SOFTWARE = "software"
    MEDIA = "media"
    PRINTING = "printing"
    COACHING = "coaching"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "conference": "Conference fee",
            "travel": "Travel and accommodation",
            "books": "Books and resources",
            "software": "Software",
            "media": "Video or media production",
            "printing": "Printing",
            "coaching": "Coaching",
            "other": "Other",
        }[self.value]


class ItemStatus(enum.StrEnum):
    PLANNED = "planned"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"

    @property
    def label(self) -> str:
        return {
            "planned": "Planned",
            "submitted": "Waiting for approval",
            "approved": "Approved",
            "rejected": "Rejected",
            "paid": "Paid",
        }[self.value]

    @property
    def colour(self) -> str:
        return {
            "planned": "grey",
            "submitted": "blue",
            "approved": "green",
            "rejected": "red",
            "paid": "purple",
        }[self.value]


class PaymentMethod(enum.StrEnum):
    REIMBURSED = "reimbursed"  # the award holder paid and is paid back
    DIRECT = "direct"  # the programme paid the supplier

    @property
    def label(self) -> str:
        return {
            "reimbursed": "Reimbursed to the award holder",
            "direct": "Paid directly to the supplier",
        }[self.value]


# status -> the statuses it may move to (one place: services.move checks it)
TRANSITIONS = {
    ItemStatus.PLANNED: {ItemStatus.SUBMITTED},
    ItemStatus.SUBMITTED: {ItemStatus.APPROVED, ItemStatus.REJECTED},
    ItemStatus.APPROVED: {ItemStatus.PAID},
    ItemStatus.REJECTED: {ItemStatus.PLANNED},
    ItemStatus.PAID: set(),
}
EDITABLE = (ItemStatus.PLANNED, ItemStatus.REJECTED)
COMMITTED = (ItemStatus.APPROVED, ItemStatus.PAID)


class SpendingItem(db.Model):
    __tablename__ = "spending_item"
    __table_args__ = (
        # Figures sum amounts by award and status: covered by the index alone.
        Index("ix_spending_item_award_sums", "award_id", "status", "amount_pence"),
        Index("ix_spending_item_status_id", "status", "id"),
        # Only a correction of an approved item may take money off (a refund).
        CheckConstraint(
            "amount_pence > 0 OR (adjusts_id IS NOT NULL AND amount_pence < 0)",
            name="amount_positive_unless_correction",
        ),
        CheckConstraint(
            "status NOT IN ('approved', 'paid') OR decided_by_id IS NOT NULL",
            name="approved_has_approver",
        ),
        CheckConstraint(
            "status != 'paid' OR payment_reference IS NOT NULL", name="paid_has_reference"
        ),
        CheckConstraint("status != 'paid' OR payment_method IS NOT NULL", name="paid_has_method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"), index=True, info=link()
    )
    category: Mapped[Category] = mapped_column(enum_type(Category, 32))
    description: Mapped[str] = mapped_column(
        String(300), info=personal(DataCategory.FINANCE, Retention.FINANCE)
    )
    supplier: Mapped[str] = mapped_column(
        String(200), default="", info=personal(DataCategory.FINANCE, Retention.FINANCE)
    )
    spent_on: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(Integer)
    status: Mapped[ItemStatus] = mapped_column(enum_type(ItemStatus, 16), default="planned")
    adjusts_id: Mapped[int | None] = mapped_column(
        ForeignKey("spending_item.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(DataCategory.FINANCE, Retention.FINANCE, person=Person.ACTOR),
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(DataCategory.FINANCE, Retention.FINANCE, person=Person.ACTOR),
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_approver_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(DataCategory.FINANCE, Retention.FINANCE, person=Person.ACTOR),
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(DataCategory.FINANCE, Retention.FINANCE, person=Person.ACTOR),
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    rejection_reason: Mapped[str | None] = mapped_column(
        Text, info=personal(DataCategory.FREE_TEXT, Retention.FINANCE)
    )
    paid_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(DataCategory.FINANCE, Retention.FINANCE, person=Person.ACTOR),
    )
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    payment_reference: Mapped[str | None] = mapped_column(
        String(100), info=personal(DataCategory.FINANCE, Retention.FINANCE)
    )
    payment_method: Mapped[PaymentMethod | None] = mapped_column(enum_type(PaymentMethod, 16))

    award = relationship("Award")
    adjusts = relationship("SpendingItem", remote_side=[id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    first_approver = relationship("User", foreign_keys=[first_approver_id])
    receipts: Mapped[list[Receipt]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Receipt.id"
    )

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE


class Receipt(db.Model):
    """A receipt or invoice for an item: the owner's name for a stored file."""

    __tablename__ = "receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("spending_item.id", ondelete="CASCADE"),
        index=True,
        info=link(),
    )
    file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"),
        index=True,
        info=personal(DataCategory.FILE, Retention.FINANCE),
    )
    filename: Mapped[str] = mapped_column(
        String(120), info=personal(DataCategory.FILE, Retention.FINANCE)
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(DataCategory.FINANCE, Retention.FINANCE, person=Person.ACTOR),
    )
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    item: Mapped[SpendingItem] = relationship(back_populates="receipts")
    file = relationship("StoredFile")


class BackfillKind(enum.StrEnum):
    INVOICE = "invoice"
    PAYMENT = "payment"

    @property
    def label(self) -> str:
        return {"invoice": "Invoice received", "payment": "Payment made"}[self.value]


class BackfillEntry(db.Model):
    """An invoice received from the employer or a payment made to it, for one award
    holder's backfill. What is invoiced, paid and left is summed from these rows."""

    __tablename__ = "backfill_entry"
    __table_args__ = (
        UniqueConstraint("award_id", "kind", "reference"),
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        Index("ix_backfill_entry_award_sums", "award_id", "kind", "amount_pence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id", ondelete="CASCADE"), info=link())
    kind: Mapped[BackfillKind] = mapped_column(enum_type(BackfillKind, 16))
    reference: Mapped[str] = mapped_column(
        String(100), info=personal(DataCategory.FINANCE, Retention.FINANCE)
    )
    dated_on: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"),
        index=True,
        info=personal(DataCategory.FILE, Retention.FINANCE),
    )
    filename: Mapped[str | None] = mapped_column(
        String(120), info=personal(DataCategory.FILE, Retention.FINANCE)
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(DataCategory.FINANCE, Retention.FINANCE, person=Person.ACTOR),
    )
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    file = relationship("StoredFile")


class BackfillPlan(db.Model):
    """Who the backfill is paid to (the employer, or a named team budget, as the
    evaluation recommends) and a note of how it was used."""

    __tablename__ = "backfill_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(
        ForeignKey("award.id", ondelete="CASCADE"), unique=True, info=link()
    )
    team_budget: Mapped[str] = mapped_column(String(200), default="", info=not_personal())
    use_note: Mapped[str] = mapped_column(
        Text, default="", info=personal(DataCategory.FREE_TEXT, Retention.FINANCE)
    )
