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
from app.money.models import Category, ItemStatus, Receipt, SpendingItem

RECEIPT = b"%PDF-1.4\n% national data set receipt\n%%EOF\n"
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


def add_spending(b) -> None:
    from app.demo.national import HISTORIC, RUNNING

    rng = random.Random(f"{b.seed}-money")
    stored = {
        "sha256": sha256(RECEIPT).hexdigest(),
        "content_type": "application/pdf",
        "size_bytes": len(RECEIPT),
        "data": RECEIPT,
        "created_at": b.at_day(b.today),
    }
    b.assign_ids(StoredFile.__table__, [stored])
    b.insert(StoredFile.__table__, [stored])
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
