"""Demo personal-award spending, as the evaluation describes it: conference fees and
travel, video production, software, printing a poster, extra coaching. The two finished
cohorts' items are all paid; the running cohort's named award holder (holder@demo.test)
has items at every stage, and their colleagues have items waiting for staff to approve
(one above the cohort's single-approver limit). Receipts are tiny valid PDFs and PNGs made
here. Everything goes through the real services; an award with spending is left alone,
so `flask demo` stays idempotent."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.extensions import db
from app.money import backfill, services
from app.money.models import BackfillKind, Category, PaymentMethod, SpendingItem

C = Category
# (category, description, supplier, days after the programme starts, pounds)
PAST = [
    (C.CONFERENCE, "JSWEC conference registration", "JSWEC", 60, 295),
    (C.TRAVEL, "Train and hotel for the JSWEC conference", "Trainline and Premier Inn", 61, 186.4),
    (C.SOFTWARE, "NVivo licence for interview analysis", "Lumivero", 90, 129.99),
    (C.BOOKS, "Qualitative research methods books", "Blackwell's", 35, 84.97),
    (C.MEDIA, "Short film of the findings for practitioners", "Northern Lights Video", 240, 1450),
    (C.PRINTING, "Printing the research poster (A0)", "Print Hub", 250, 68.5),
    (C.COACHING, "Two extra coaching sessions", "Open Door Coaching", 150, 240),
]
# the running cohort's named holder: (category, description, supplier, days, pounds, stage)
NAMED = [
    (C.CONFERENCE, "BASW practice research conference fee", "BASW", 45, 210, "paid"),
    (C.SOFTWARE, "Transcription software subscription", "Otter.ai", 75, 96, "approved"),
    (
        C.MEDIA,
        "Video of carers' stories for the presentation day",
        "Frame Films",
        200,
        1450,
        "submitted",
    ),
    (C.PRINTING, "Printing the research poster", "Print Hub", 330, 75, "planned"),
    (C.OTHER, "Team away-day lunch", "Cafe Nero", 100, 42.6, "rejected"),
]
COLLEAGUES = [
    (C.CONFERENCE, "Social Work Research Conference fee", "SWRC", 120, 180),
    (C.COACHING, "Extra coaching on writing up", "Open Door Coaching", 150, 120),
]
SECOND_APPROVAL_ABOVE = 100_000  # GBP 1,000 in the running cohort


def pdf(text: str) -> bytes:
    """A one-page PDF saying `text` (valid enough for any viewer)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def png(shade: int) -> bytes:
    """A 2x2 grey PNG (a photographed receipt, as far as the demo needs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes([shade % 256]) * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _item(award, holder, staff, checker, row, stage: str, n: int) -> None:
    category, description, supplier, days, pounds = row
    item = services.record(
        award,
        holder,
        services.ItemDetails(
            category=category,
            description=description,
            supplier=supplier,
            spent_on=min(
                award.cohort.programme_start + timedelta(days=days), award.cohort.programme_end
            ),
            amount_pence=round(pounds * 100),
        ),
    )
    if stage == "planned":
        return
    if n % 2:
        services.add_receipt(item, holder, png(n * 37 + award.id), "receipt-photo.png", None)
    else:
        services.add_receipt(
            item,
            holder,
            pdf(f"Receipt {award.id}-{n}: {supplier}, GBP {pounds:.2f}"),
            "receipt.pdf",
            None,
        )
    services.submit(item, holder)
    if stage == "submitted":
        return
    if stage == "rejected":
        services.reject(item, staff, "Catering for your team is not research spending.")
        return
    if not services.approve(item, staff):
        services.approve(item, checker)
    if stage == "paid":
        # a conference or a film is paid to the supplier; small costs are claimed back
        method = (
            PaymentMethod.DIRECT
            if category in (Category.CONFERENCE, Category.MEDIA)
            else PaymentMethod.REIMBURSED
        )
        ref = f"PO-{award.cohort.name[:4]}-{award.id:03d}{n:02d}"
        services.pay(item, checker, ref, method)


def _backfill(award: Award, staff, finished: bool) -> None:
    """The employer invoices and is paid: in full for a finished year, half so far now."""
    agreed = award.backfill_pence or 0
    if agreed <= 0:
        return
    amount = agreed if finished else agreed // 2
    start = award.cohort.programme_start
    ref = f"{award.employer.name[:3].upper()}-{award.cohort.name}-{award.id:03d}"
    backfill.add_entry(
        award,
        staff,
        BackfillKind.INVOICE,
        ref,
        start + timedelta(days=90),
        amount,
        (pdf(f"Invoice {ref}: GBP {amount / 100:.2f}"), "invoice.pdf", None),
    )
    backfill.add_entry(
        award, staff, BackfillKind.PAYMENT, f"BACS {ref}", start + timedelta(days=120), amount
    )
    backfill.save_plan(
        award,
        staff,
        "Adult social care locality team" if award.id % 2 else "",
        "Agency social worker cover for the study days, booked a term ahead.",
    )


def _has_spending(award: Award) -> bool:
    return (
        db.session.scalar(select(SpendingItem.id).where(SpendingItem.award_id == award.id).limit(1))
        is not None
    )


def load_money() -> int:
    staff = db.session.scalar(select(User).where(User.email == "staff@demo.test"))
    checker = db.session.scalar(select(User).where(User.email == "staff2@demo.test"))
    if staff is None or checker is None:
        return 0
    created = 0
    cohorts = {c.name: c for c in db.session.scalars(select(Cohort))}
    running = cohorts.get("2026-27")
    if running is not None and running.second_approval_above_pence is None:
        running.second_approval_above_pence = SECOND_APPROVAL_ABOVE
    for name in ("2022-23", "2023-24", "2026-27"):
        cohort = cohorts.get(name)
        if cohort is None:
            continue
        awards = db.session.scalars(
            select(Award).where(Award.cohort_id == cohort.id).order_by(Award.id)
        )
        for k, award in enumerate(awards):
            if _has_spending(award):
                continue
            holder = award.holder
            if name != "2026-27":
                # each past holder used some of the award, in their own mix
                rows = [r for i, r in enumerate(PAST) if (i + k) % 3 != 0]
                for n, row in enumerate(rows):
                    _item(award, holder, staff, checker, row, "paid", n)
            elif holder.email == "holder@demo.test":
                for n, (*row, stage) in enumerate(NAMED):
                    _item(award, holder, staff, checker, row, stage, n)
            else:
                for n, row in enumerate(COLLEAGUES):
                    _item(award, holder, staff, checker, row, "paid" if n else "submitted", n)
            _backfill(award, checker, finished=name != "2026-27")
            created += 1
    db.session.commit()
    return created
