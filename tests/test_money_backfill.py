"""Backfill funding: invoices and payments never pass the agreed amount (exactly at it is
fine, a penny over is refused), references are not recorded twice, invoice documents are
checked by content, and 20 parallel payments past what is left never all pass."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.core import storage
from app.core.roles import Role
from app.extensions import db
from app.money import backfill
from app.money.models import BackfillEntry, BackfillKind, BackfillPlan
from app.money.services import MoneyError
from tests.matrix.money import PDF
from tests.test_concurrency import PARALLEL, _at_once, _signed_in
from tests.test_money import text

AGREED = 500_000  # the factories' cohort backfill: GBP 5,000


def _setting(make):
    return make.award(cohort=make.running_cohort()), make.user(Role.STAFF)


def _add(award_id, staff_id, kind, ref, amount):
    a = db.session.get(Award, award_id)
    return backfill.add_entry(
        a, db.session.get(User, staff_id), kind, ref, a.cohort.programme_start, amount
    )


def test_payments_reach_the_agreed_amount_exactly_and_not_a_penny_more(app, make):
    award, staff = _setting(make)
    with app.test_request_context():
        assert db.session.get(Award, award.id).backfill_pence == AGREED
        _add(award.id, staff.id, BackfillKind.PAYMENT, "P1", AGREED - 1)
        _add(award.id, staff.id, BackfillKind.PAYMENT, "P2", 1)
        with pytest.raises(MoneyError, match="£0.01 more than the agreed backfill of £5,000.00"):
            _add(award.id, staff.id, BackfillKind.PAYMENT, "P3", 1)
        _add(award.id, staff.id, BackfillKind.INVOICE, "INV-1", AGREED)
        with pytest.raises(MoneyError, match="£0.01 more"):
            _add(award.id, staff.id, BackfillKind.INVOICE, "INV-2", 1)
        f = backfill.figures_for([db.session.get(Award, award.id)])[award.id]
        assert (f.agreed, f.invoiced, f.paid, f.remaining) == (AGREED, AGREED, AGREED, 0)
        db.session.rollback()


def test_a_reference_is_recorded_once(app, make):
    award, staff = _setting(make)
    with app.test_request_context():
        _add(award.id, staff.id, BackfillKind.INVOICE, "INV-7", 100)
        with pytest.raises(MoneyError, match="already recorded"):
            _add(award.id, staff.id, BackfillKind.INVOICE, "INV-7", 100)
        _add(award.id, staff.id, BackfillKind.PAYMENT, "INV-7", 100)  # another kind: fine
        db.session.rollback()


def test_staff_record_an_invoice_with_its_document_a_payment_and_the_use(app, make, browser):
    award, staff = _setting(make)
    browser.sign_in(staff.email)
    url = f"/money/backfill/{award.id}"
    with app.app_context():
        start = db.session.get(Award, award.id).cohort.programme_start
    day = {
        "invoice-on-day": start.day,
        "invoice-on-month": start.month,
        "invoice-on-year": start.year,
    }
    resp = browser.client.post(
        url + "/invoice",
        data={
            "csrf_token": browser.token(url),
            "invoice-reference": "INV-2027-01",
            "invoice-amount": "2,500",
            **day,
            "invoice-document": (io.BytesIO(b"<html>not an invoice</html>"), "inv.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200 and "must be a PDF, PNG or JPEG" in text(resp)
    with app.app_context():
        assert db.session.scalar(select(func.count(BackfillEntry.id))) == 0
    resp = browser.client.post(
        url + "/invoice",
        data={
            "csrf_token": browser.token(url),
            "invoice-reference": "INV-2027-01",
            "invoice-amount": "2,500",
            **day,
            "invoice-document": (io.BytesIO(PDF), "invoice.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302, text(resp)
    pay = {k.replace("invoice", "payment"): v for k, v in day.items()}
    resp = browser.post(
        url + "/payment",
        {"payment-reference": "BACS 1", "payment-amount": "6000", **pay},
        token_from=url,
    )
    assert "£1,000.00 more than the agreed backfill" in text(resp)
    resp = browser.post(
        url + "/payment",
        {"payment-reference": "BACS 1", "payment-amount": "2500", **pay},
        token_from=url,
    )
    assert resp.status_code == 302
    resp = browser.post(
        url + "/plan",
        {
            "team_budget": "Hospital discharge team",
            "use_note": "Agency cover for two days a fortnight",
        },
        token_from=url,
    )
    assert resp.status_code == 302
    page = text(browser.get(url))
    assert "Invoiced by the employer £2,500.00" in page and "Remaining £2,500.00" in page
    assert "Agency cover for two days a fortnight" in page
    with app.app_context():
        cohort_id = db.session.get(Award, award.id).cohort_id
    budget = text(browser.get(f"/money/budget/{cohort_id}"))
    assert "Invoiced by employers £2,500.00 Paid £2,500.00 Remaining £2,500.00" in budget
    # the invoice and the payment are transactions in the CSV and the workbook
    csv_rows = list(csv.reader(io.StringIO(browser.get(f"/money/budget/{cohort_id}.csv").text)))
    backfill_rows = [r for r in csv_rows if r[1] == "Backfill"]
    assert [(r[3], r[7], r[10]) for r in backfill_rows] == [
        ("Invoice received", "2500.00", "INV-2027-01"),
        ("Payment made", "2500.00", "BACS 1"),
    ]
    assert backfill_rows[1][4] == "Payment to the team budget: Hospital discharge team"
    sheet = load_workbook(io.BytesIO(browser.get(f"/money/budget/{cohort_id}.xlsx").data))
    rows = list(sheet["Transactions"].iter_rows(values_only=True))
    assert [r[7] for r in rows if r[1] == "Backfill"] == [2500, 2500]
    with app.app_context():
        entry = db.session.scalar(select(BackfillEntry).where(BackfillEntry.file_id.isnot(None)))
        assert db.session.scalar(select(func.count(BackfillPlan.id))) == 1
        entry_id = entry.id
    resp = browser.get(f"/money/backfill/documents/{entry_id}")
    assert resp.data == PDF and resp.headers["Content-Disposition"].startswith("attachment")
    assert storage.sniff(resp.data) == "application/pdf"


def test_twenty_parallel_payments_past_what_is_left_never_all_pass(app, make, browser_factory):
    award, staff = _setting(make)
    url = f"/money/backfill/{award.id}"
    with app.app_context():
        start = db.session.get(Award, award.id).cohort.programme_start
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, url)
    each = AGREED // 8  # 20 x GBP 625: only 8 fit in GBP 5,000
    responses = _at_once(
        [
            lambda b=b, n=n: b.post(
                url + "/payment",
                data={
                    "csrf_token": token,
                    "payment-reference": f"BACS {n}",
                    "payment-amount": f"{each // 100}",
                    "payment-on-day": start.day,
                    "payment-on-month": start.month,
                    "payment-on-year": start.year,
                },
            )
            for n, b in enumerate(browsers)
        ]
    )
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    with app.app_context():
        paid = db.session.scalar(select(func.sum(BackfillEntry.amount_pence)))
    assert paid == AGREED
