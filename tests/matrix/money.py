"""Access matrix: the personal award (holders record and submit; staff approve and pay)."""

from __future__ import annotations

from datetime import timedelta

from app.core.roles import Role
from app.extensions import db
from tests.matrix import STAFF, Page

HOLDERS = frozenset({Role.AWARD_HOLDER})
BOTH = STAFF | HOLDERS

# a tiny valid PDF: what `storage` accepts by content
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

PAGES = {
    # an award holder without an award is told so (200)
    "money.mine": Page("/money/", HOLDERS),
    "money.award": Page("/money/awards/{money_award_id}", BOTH, not_found_for=HOLDERS),
    "money.item_new": Page(
        "/money/awards/{money_award_id}/items/new", HOLDERS, not_found_for=HOLDERS
    ),
    "money.item": Page("/money/items/{money_item_id}", BOTH, not_found_for=HOLDERS),
    "money.item_edit": Page("/money/items/{money_item_id}/edit", HOLDERS, not_found_for=HOLDERS),
    "money.correction_new": Page(
        "/money/items/{money_approved_id}/correct", HOLDERS, not_found_for=HOLDERS
    ),
    "money.receipt": Page("/money/receipts/{money_receipt_id}", BOTH, not_found_for=HOLDERS),
    "money.reject": Page("/money/items/{money_item_id}/reject", STAFF),
    "money.pay": Page("/money/items/{money_approved_id}/pay", STAFF),
    "money.cap": Page("/money/awards/{money_award_id}/cap", STAFF),
    "money.queue": Page("/money/queue", STAFF),
    "money.queue_csv": Page("/money/queue.csv", STAFF),
    "money.queue_xlsx": Page("/money/queue.xlsx", STAFF),
    "money.budget_index": Page("/money/budget", STAFF),
    "money.backfill_page": Page("/money/backfill/{money_award_id}", STAFF),
    "money.backfill_document": Page("/money/backfill/documents/{money_backfill_id}", STAFF),
    "money.budget_cohort": Page("/money/budget/{money_cohort_id}", STAFF),
    "money.budget_csv": Page("/money/budget/{money_cohort_id}.csv", STAFF),
    "money.budget_xlsx": Page("/money/budget/{money_cohort_id}.xlsx", STAFF),
    "money.second_approver": Page("/money/budget/{money_cohort_id}/second-approver", STAFF),
}

ACTIONS = {
    "money.receipt_add": HOLDERS,
    "money.submit": HOLDERS,
    "money.approve": STAFF,
    "money.bulk": STAFF,
    "money.backfill_add": STAFF,
    "money.backfill_plan": STAFF,
}


def spending(app, award_id: int, staff_id: int, *, amounts=(12_000,), approve=False):
    """Items for `award_id` made through the services, each with a receipt; submitted and
    approved by `staff_id` when `approve`. Returns their ids."""
    from app.accounts.models import User
    from app.awards.models import Award
    from app.money import services
    from app.money.models import Category

    ids = []
    with app.test_request_context():
        award = db.session.get(Award, award_id)
        holder = award.holder
        for n, amount in enumerate(amounts):
            item = services.record(
                award,
                holder,
                services.ItemDetails(
                    category=Category.CONFERENCE,
                    description=f"Conference fee {n + 1}",
                    supplier="JSWEC",
                    spent_on=award.cohort.programme_start + timedelta(days=10 + n % 200),
                    amount_pence=amount,
                ),
            )
            services.add_receipt(item, holder, PDF + str(n).encode(), "receipt.pdf", None)
            if approve:
                services.submit(item, holder)
                services.approve(item, db.session.get(User, staff_id))
            ids.append(item.id)
        db.session.commit()
    return ids


def records(make, app) -> dict:
    from app.money.models import Receipt

    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    (item_id,) = spending(app, award.id, staff.id)
    (approved_id,) = spending(app, award.id, staff.id, approve=True)
    with app.test_request_context():
        from app.accounts.models import User
        from app.awards.models import Award
        from app.money import backfill
        from app.money.models import BackfillKind

        receipt_id = db.session.scalar(db.select(Receipt.id).where(Receipt.item_id == item_id))
        a = db.session.get(Award, award.id)
        entry = backfill.add_entry(
            a,
            db.session.get(User, staff.id),
            BackfillKind.INVOICE,
            "INV-1",
            a.cohort.programme_start,
            10_000,
            (PDF + b"invoice", "invoice.pdf", None),
        )
        db.session.commit()
        backfill_id = entry.id
    return {
        "money_award_id": award.id,
        "money_cohort_id": award.cohort_id,
        "money_item_id": item_id,
        "money_approved_id": approved_id,
        "money_receipt_id": receipt_id,
        "money_backfill_id": backfill_id,
    }
