"""The national data set's personal-award spending: every finished cohort's holders spent
part of their award (all paid), the running cohorts' holders have items at every stage,
as the evaluation's two cohorts did (conference fees and travel, video production,
software, printing a poster, extra coaching). One receipt blob is shared by content
(storage is content-addressed), so the rows cost little."""

from __future__ import annotations

import random
from datetime import timedelta
from hashlib import sha256

from app.core.storage import StoredFile
from app.money.models import (
    BackfillEntry,
    BackfillKind,
    BackfillPlan,
    Category,
    ItemStatus,
    PaymentMethod,
    Receipt,
    SpendingItem,
)

RECEIPT = b"%PDF-1.4\n% national data set receipt\n%%EOF\n"
INVOICE = b"%PDF-1.4\n% national data set backfill invoice\n%%EOF\n"
# how the evaluation's employers used backfill, and the team budgets it was paid to
USES = [
    "Agency social worker cover for the study days, booked a term ahead.",
    "A part-time locum covered the caseload on research days.",
    "Overtime for two colleagues who took the duty rota on study days.",
    "Paid into the team budget: a newly qualified worker's extra hours.",
]
TEAMS = ["", "", "Adult social care locality team", "Children's assessment team budget"]
# (category, description, lowest and highest pounds)
KINDS = [
    (Category.CONFERENCE, "Conference registration", 120, 450),
    (Category.TRAVEL, "Train and hotel for a conference", 60, 320),
    (Category.SOFTWARE, "Qualitative analysis software licence", 90, 240),
    (Category.BOOKS, "Research methods books", 25, 120),
    (Category.MEDIA, "Short film of the findings", 600, 1500),
    (Category.PRINTING, "Printing the research poster", 40, 110),
    (Category.COACHING, "Extra coaching sessions", 90, 360),
]
RUNNING_STAGES = [
    ItemStatus.PAID,
    ItemStatus.PAID,
    ItemStatus.APPROVED,
    ItemStatus.SUBMITTED,
    ItemStatus.PLANNED,
    ItemStatus.REJECTED,
]


def _blob(b, data: bytes) -> dict:
    stored = {
        "sha256": sha256(data).hexdigest(),
        "content_type": "application/pdf",
        "size_bytes": len(data),
        "data": data,
        "created_at": b.at_day(b.today - timedelta(days=400)),
    }
    b.assign_ids(StoredFile.__table__, [stored])
    b.insert(StoredFile.__table__, [stored])
    return stored


def add_spending(b) -> None:
    from app.demo.national import HISTORIC, RUNNING

    rng = random.Random(f"{b.seed}-money")
    stored = _blob(b, RECEIPT)
    items, receipts = [], []
    for award in b.awards:
        cohort = award["_cohort"]
        phase = cohort["_phase"]
        if phase not in (HISTORIC, RUNNING):
            continue
        start, end = cohort["programme_start"], cohort["programme_end"]
        last = min(end, b.today) if phase == RUNNING else end
        span = max((last - start).days, 1)
        left = award["personal_award_cap_pence"]
        for n in range(rng.randint(2, 6)):
            category, description, lo, hi = rng.choice(KINDS)
            amount = rng.randint(lo * 100, hi * 100)
            if amount > left:
                break
            left -= amount
            status = ItemStatus.PAID if phase == HISTORIC else rng.choice(RUNNING_STAGES)
            spent = start + timedelta(days=rng.randint(0, span))
            decided = status in (ItemStatus.APPROVED, ItemStatus.PAID, ItemStatus.REJECTED)
            staff = rng.choice(b.staff)["id"]
            items.append(
                {
                    "award_id": award["id"],
                    "category": category,
                    "description": description,
                    "supplier": "",
                    "spent_on": spent,
                    "amount_pence": amount,
                    "status": status,
                    "created_by_id": award["holder_id"],
                    "created_at": b.at_day(spent),
                    "submitted_by_id": award["holder_id"] if status != ItemStatus.PLANNED else None,
                    "decided_by_id": staff if decided else None,
                    "decided_at": b.at_day(spent, 15) if decided else None,
                    "rejection_reason": "Not research spending"
                    if status == ItemStatus.REJECTED
                    else None,
                    "paid_by_id": staff if status == ItemStatus.PAID else None,
                    "payment_reference": f"PO-{award['id']:05d}-{n}"
                    if status == ItemStatus.PAID
                    else None,
                    "payment_method": (
                        PaymentMethod.DIRECT
                        if category in (Category.CONFERENCE, Category.MEDIA)
                        else PaymentMethod.REIMBURSED
                    )
                    if status == ItemStatus.PAID
                    else None,
                }
            )
    b.assign_ids(SpendingItem.__table__, items)
    for item in items:
        if item["status"] != ItemStatus.PLANNED:
            receipts.append(
                {
                    "item_id": item["id"],
                    "file_id": stored["id"],
                    "filename": "receipt.pdf",
                    "uploaded_by_id": item["created_by_id"],
                    "uploaded_at": item["created_at"],
                }
            )
    b.insert(SpendingItem.__table__, items)
    b.assign_ids(Receipt.__table__, receipts)
    b.insert(Receipt.__table__, receipts)


def add_backfill(b) -> None:
    """Backfill for every award in a finished or running cohort: finished years invoiced
    and paid in full (in two or three instalments); running years invoiced for the terms
    so far, the last invoice sometimes not paid yet. Never past the agreed amount, as the
    service refuses. A note of use for most; a named team budget for some."""
    from app.demo.national import HISTORIC, RUNNING

    rng = random.Random(f"{b.seed}-backfill")
    invoice = _blob(b, INVOICE)
    entries, plans = [], []
    for award in b.awards:
        cohort = award["_cohort"]
        phase, agreed = cohort["_phase"], award["backfill_pence"] or 0
        if phase not in (HISTORIC, RUNNING) or agreed <= 0:
            continue
        start = cohort["programme_start"]
        terms = rng.choice((2, 3))
        share = agreed // terms
        # a finished year invoiced every term; a running one the terms so far
        so_far = min(terms, max(0, (b.today - start).days // 120))
        invoiced = terms if phase == HISTORIC else so_far
        paid = invoiced if phase == HISTORIC or rng.random() < 0.5 else max(invoiced - 1, 0)
        staff = rng.choice(b.staff)["id"]
        for n in range(invoiced):
            amount = agreed - share * (terms - 1) if n == terms - 1 else share
            on = start + timedelta(days=60 + 120 * n)
            if on > b.today:
                break
            ref = f"INV-{award['id']:05d}-{n + 1}"
            common = {"award_id": award["id"], "amount_pence": amount, "recorded_by_id": staff}
            entries.append(
                {
                    **common,
                    "kind": BackfillKind.INVOICE,
                    "reference": ref,
                    "dated_on": on,
                    "file_id": invoice["id"],
                    "filename": f"{ref}.pdf",
                    "recorded_at": b.at_day(on),
                }
            )
            paid_on = on + timedelta(days=30)
            if n < paid and paid_on <= b.today:
                entries.append(
                    {
                        **common,
                        "kind": BackfillKind.PAYMENT,
                        "reference": f"BACS {ref}",
                        "dated_on": paid_on,
                        "file_id": None,
                        "filename": None,
                        "recorded_at": b.at_day(paid_on),
                    }
                )
        if entries and entries[-1]["award_id"] == award["id"]:
            plans.append(
                {
                    "award_id": award["id"],
                    "team_budget": rng.choice(TEAMS),
                    "use_note": rng.choice(USES) if phase == HISTORIC or rng.random() < 0.6 else "",
                }
            )
    b.assign_ids(BackfillEntry.__table__, entries)
    b.insert(BackfillEntry.__table__, entries)
    b.assign_ids(BackfillPlan.__table__, plans)
    b.insert(BackfillPlan.__table__, plans)
