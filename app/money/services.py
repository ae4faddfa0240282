"""The personal award's rules: recording, submitting, approving, rejecting and paying
spending, receipts, and a holder's cap.

Every change locks the award row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
BEGIN IMMEDIATE serialises writers), then claims the item (compare-and-set on its
status), so requests at the same moment are checked against the cap one after another:
approved, paid and pending spending never pass it together. Figures are summed from the
items every time; nothing keeps a running total. Each change writes one audit entry;
the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.awards.models import Award
from app.core import audit, state, storage
from app.core.db import utcnow
from app.core.formatting import format_date, format_pence
from app.core.mail import external_url, queue_email
from app.extensions import db
from app.money import policy
from app.money.models import (
    COMMITTED,
    TRANSITIONS,
    Category,
    ItemStatus,
    PaymentMethod,
    Receipt,
    SpendingItem,
)


class MoneyError(Exception):
    """A rule refused the action; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ItemChanged(MoneyError, state.Conflict):
    """Someone else moved the item on first; nothing was written."""


# Figures -----------------------------------------------------------------------------


@dataclass
class Figures:
    cap: int
    committed: int = 0  # approved and paid
    paid: int = 0
    pending: int = 0  # submitted, waiting for approval
    planned: int = 0

    @property
    def remaining(self) -> int:
        """What can still be submitted: the cap less approved, paid and pending."""
        return self.cap - self.committed - self.pending

    @property
    def unplanned(self) -> int:
        return self.remaining - self.planned


def sums_for(award_ids: list[int]) -> dict[int, dict[ItemStatus, int]]:
    """{award_id: {status: pence}} in one GROUP BY query."""
    out: dict[int, dict[ItemStatus, int]] = {a: {} for a in award_ids}
    if not award_ids:
        return out
    rows = db.session.execute(
        select(SpendingItem.award_id, SpendingItem.status, func.sum(SpendingItem.amount_pence))
        .where(SpendingItem.award_id.in_(award_ids))
        .group_by(SpendingItem.award_id, SpendingItem.status)
    )
    for award_id, status, total in rows:
        out[award_id][ItemStatus(status)] = int(total or 0)
    return out


def figures(award: Award, sums: dict[ItemStatus, int] | None = None) -> Figures:
    s = sums if sums is not None else sums_for([award.id])[award.id]
    return Figures(
        cap=award.personal_award_cap_pence,
        committed=sum(s.get(x, 0) for x in COMMITTED),
        paid=s.get(ItemStatus.PAID, 0),
        pending=s.get(ItemStatus.SUBMITTED, 0),
        planned=s.get(ItemStatus.PLANNED, 0),
    )


def _check_cap(award: Award, adding: int, verb: str) -> None:
    """Refuse when approved, paid and pending spending plus `adding` pass the cap."""
    f = figures(award)
    over = f.committed + f.pending + adding - f.cap
    if over > 0:
        raise MoneyError(
            f"This cannot be {verb}: it would take spending {format_pence(over)} over the "
            f"personal award of {format_pence(f.cap)} ({format_pence(max(f.remaining, 0))} "
            "is left)."
        )


# Recording ---------------------------------------------------------------------------


@dataclass
class ItemDetails:
    category: Category
    description: str
    supplier: str
    spent_on: date
    amount_pence: int


def _check_dates(award: Award, spent_on: date) -> None:
    c = award.cohort
    if not c.programme_start <= spent_on <= c.programme_end:
        raise MoneyError(
            f"The date must be in the programme year, between {format_date(c.programme_start)} "
            f"and {format_date(c.programme_end)}",
            "spent_on",
        )


def _snapshot(item: SpendingItem) -> dict:
    return {
        "category": item.category,
        "description": item.description,
        "supplier": item.supplier,
        "spent_on": item.spent_on,
        "amount_pence": item.amount_pence,
        "status": item.status,
    }


def record(
    award: Award, actor, details: ItemDetails, adjusts: SpendingItem | None = None
) -> SpendingItem:
    """A new planned item (or a correction of an approved one: `adjusts`)."""
    if not policy.can_record(actor, award):
        raise MoneyError("Only the award holder can record their spending.")
    _check_dates(award, details.spent_on)
    if adjusts is not None and adjusts.status not in COMMITTED:
        raise MoneyError("Only an approved or paid item can be corrected.")
    if adjusts is not None and -details.amount_pence > adjusts.amount_pence:
        raise MoneyError(
            "A correction cannot take off more than the item's "
            f"{format_pence(adjusts.amount_pence)}",
            "amount",
        )
    item = SpendingItem(
        award_id=award.id,
        adjusts_id=adjusts.id if adjusts is not None else None,
        status=ItemStatus.PLANNED,
        created_by_id=actor.id,
        **details.__dict__,
    )
    item.award = award
    db.session.add(item)
    db.session.flush()
    audit.record(
        "money.item_recorded",
        item,
        actor=actor,
        changes=audit.diff({}, _snapshot(item)),
        summary=f"{details.category.label}: {format_pence(details.amount_pence)}",
    )
    return item


def _refuse(action: str):
    def build(item: SpendingItem) -> ItemChanged:
        return ItemChanged(
            f"This item was not {action}: someone else changed it first. "
            f"It is now {item.status.label.lower()}."
        )

    return build


def _claim(item: SpendingItem, expected, action: str) -> ItemStatus:
    state.lock(item.award)  # award first, then the item: one lock order for every change
    return state.claim(item, expected, _refuse(action))


def update(item: SpendingItem, actor, details: ItemDetails) -> None:
    """Change a planned or rejected item; a rejected one goes back to planned. Approved
    and paid items are never edited: a correction is a new item."""
    if not policy.can_edit(actor, item):
        raise MoneyError("Approved and paid items cannot be changed. Record a correction.")
    _claim(item, (ItemStatus.PLANNED, ItemStatus.REJECTED), "changed")
    _check_dates(item.award, details.spent_on)
    before = _snapshot(item)
    for key, value in details.__dict__.items():
        setattr(item, key, value)
    item.status = ItemStatus.PLANNED
    item.rejection_reason = None
    audit.record(
        "money.item_changed", item, actor=actor, changes=audit.diff(before, _snapshot(item))
    )


def add_receipt(item: SpendingItem, actor, data: bytes, filename: str, declared: str | None):
    """Store the file with its receipt row, in this transaction."""
    if not policy.can_edit(actor, item):
        raise MoneyError("Receipts can only be added before the item is submitted.")
    stored = storage.put(data, filename, declared)
    receipt = Receipt(
        item=item,
        file_id=stored.id,
        filename=storage.display_name(filename, stored),
        uploaded_by_id=actor.id,
    )
    db.session.add(receipt)
    db.session.flush()
    audit.record(
        "money.receipt_added",
        item,
        actor=actor,
        summary=f"Receipt {receipt.filename} ({stored.size_bytes:,} bytes)",
    )
    return receipt


def _move(item: SpendingItem, to: ItemStatus, actor, action: str, summary: str = "", **fields):
    before = item.status
    if to not in TRANSITIONS[before]:
        raise MoneyError(f"A {before.label.lower()} item cannot be {action}.")
    item.status = to
    for key, value in fields.items():
        setattr(item, key, value)
    audit.record(
        f"money.item_{action}",
        item,
        actor=actor,
        changes={"status": [before, to], **{k: [None, v] for k, v in fields.items()}},
        summary=summary or f"{item.description[:200]}: {format_pence(item.amount_pence)}",
    )


def _tell_holder(item: SpendingItem, actor, subject: str) -> None:
    """Queued in this transaction; sent after the commit."""
    holder = item.award.holder
    queue_email(
        holder.email,
        subject,
        "money_decided",
        user=holder,
        holder=holder,
        item=item,
        actor=actor,
        url=external_url("money.item", item_id=item.id),
    )


def submit(item: SpendingItem, actor) -> None:
    if not policy.can_edit(actor, item):
        raise MoneyError("Only the award holder can submit their own planned items.")
    _claim(item, ItemStatus.PLANNED, "submitted")
    if not item.receipts:
        raise MoneyError("Add a receipt or invoice before you submit this item.", "receipt")
    _check_cap(item.award, item.amount_pence, "submitted")
    _move(
        item,
        ItemStatus.SUBMITTED,
        actor,
        "submitted",
        submitted_by_id=actor.id,
        submitted_at=utcnow(),
    )


def set_second_approval(cohort, actor, above_pence: int | None) -> bool:
    """Set the amount above which a cohort's items need a second approver (None: one
    approver is always enough). Returns False when nothing changed (no audit entry)."""
    if not policy.can_change_cohort_settings(actor):
        raise MoneyError("Only programme staff can change a cohort's approval rules.")
    if above_pence is not None and above_pence < 0:
        raise MoneyError("The amount must be £0.00 or more", "above")
    state.lock(cohort)
    before = cohort.second_approval_above_pence
    if before == above_pence:
        return False
    cohort.second_approval_above_pence = above_pence
    audit.record(
        "money.second_approval_changed",
        cohort,
        actor=actor,
        changes={"second_approval_above_pence": [before, above_pence]},
        summary=(
            f"Cohort {cohort.name}: items above {format_pence(above_pence)} need a second approver"
            if above_pence is not None
            else f"Cohort {cohort.name}: one approver is enough for every item"
        ),
    )
    return True


def needs_second_approver(item: SpendingItem) -> bool:
    limit = item.award.cohort.second_approval_above_pence
    return limit is not None and item.amount_pence > limit


def approve(item: SpendingItem, actor) -> bool:
    """Approve (True), or record the first of two approvals (False) for an item above
    the cohort's threshold."""
    _claim(item, ItemStatus.SUBMITTED, "approved")
    if not policy.can_decide(actor, item):
        raise MoneyError(
            "You cannot approve this item: you recorded, submitted or paid it, or have "
            "already approved it. Another member of staff must approve it."
        )
    # the item itself is pending already: the check adds nothing, but a lowered cap shows
    _check_cap(item.award, 0, "approved")
    if needs_second_approver(item) and item.first_approver_id is None:
        item.first_approver_id = actor.id
        audit.record(
            "money.item_first_approval",
            item,
            actor=actor,
            changes={"first_approver_id": [None, actor.id]},
            summary="First of two approvals: another member of staff must approve too",
        )
        return False
    _move(item, ItemStatus.APPROVED, actor, "approved", decided_by_id=actor.id, decided_at=utcnow())
    _tell_holder(item, actor, "A personal-award item was approved")
    return True


def reject(item: SpendingItem, actor, reason: str) -> None:
    if not reason.strip():
        raise MoneyError("Enter a reason for rejecting the item", "reason")
    _claim(item, ItemStatus.SUBMITTED, "rejected")
    if not policy.can_decide(actor, item):
        raise MoneyError("You cannot reject an item you recorded, submitted or paid yourself.")
    _move(
        item,
        ItemStatus.REJECTED,
        actor,
        "rejected",
        decided_by_id=actor.id,
        decided_at=utcnow(),
        rejection_reason=reason.strip(),
        first_approver_id=None,
    )
    _tell_holder(item, actor, "A personal-award item was rejected")


def pay(
    item: SpendingItem,
    actor,
    reference: str,
    method: PaymentMethod = PaymentMethod.REIMBURSED,
) -> None:
    """Mark an approved item paid: reimbursed to the holder, or paid to the supplier."""
    if not reference.strip():
        raise MoneyError("Enter the payment reference", "reference")
    _claim(item, ItemStatus.APPROVED, "marked as paid")
    if not policy.can_pay(actor, item):
        raise MoneyError("Only programme staff can mark an approved item as paid.")
    _move(
        item,
        ItemStatus.PAID,
        actor,
        "paid",
        paid_by_id=actor.id,
        paid_at=utcnow(),
        payment_reference=reference.strip(),
        payment_method=PaymentMethod(method),
    )
    _tell_holder(item, actor, "A personal-award item has been paid")


def change_cap(award: Award, actor, cap_pence: int, reason: str) -> None:
    """Vary one holder's cap, with a reason. Never below what is approved and pending."""
    if not reason.strip():
        raise MoneyError("Enter a reason for changing the personal award", "reason")
    state.lock(award)
    f = figures(award)
    if cap_pence < f.committed + f.pending:
        raise MoneyError(
            f"The personal award cannot be less than what is approved, paid and waiting for "
            f"approval ({format_pence(f.committed + f.pending)})",
            "cap",
        )
    before = award.personal_award_cap_pence
    award.personal_award_cap_pence = cap_pence
    audit.record(
        "money.cap_changed",
        award,
        actor=actor,
        changes={"personal_award_cap_pence": [before, cap_pence]},
        summary=reason.strip()[:300],
    )
