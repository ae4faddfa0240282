"""The spending queue's downloads (CSV and Excel, with the page's filters) and the budget
CSV: amounts are numbers (a refund's minus sign kept), text typed by people cannot run
as a formula."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from app.awards.models import Award
from app.core.roles import Role
from app.extensions import db
from app.money import services
from app.money.models import Category, SpendingItem
from tests.matrix.money import PDF, spending


def _world(app, make):
    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    (approved,) = spending(app, award.id, staff.id, amounts=(5_000,), approve=True)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        fix = services.record(
            a,
            a.holder,
            services.ItemDetails(
                category=Category.BOOKS,
                description='=HYPERLINK("http://evil.example")',
                supplier="+Supplier",
                spent_on=a.cohort.programme_start,
                amount_pence=-1_250,
            ),
            adjusts=db.session.get(SpendingItem, approved),
        )
        services.add_receipt(fix, a.holder, PDF + b"refund", "refund.pdf", None)
        services.submit(fix, a.holder)
        db.session.commit()
    return award, staff


def test_the_queue_downloads_as_csv_and_excel_with_its_filters(app, make, browser):
    award, staff = _world(app, make)
    browser.sign_in(staff.email)
    page = browser.get("/money/queue?status=submitted").get_data(as_text=True)
    assert "/money/queue.xlsx?status=submitted" in page
    rows = list(csv.reader(io.StringIO(browser.get("/money/queue.csv?status=submitted").text)))
    assert len(rows) == 2  # the filter holds: only the waiting correction
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Amount (GBP)"] == "-12.50"
    assert row["Description"].startswith("'=") and row["Supplier"] == "'+Supplier"
    resp = browser.get("/money/queue.xlsx?status=")
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(resp.data))["Spending"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][7] == "Amount (GBP)" and len(values) == 3  # both items
    assert sorted(v[7] for v in values[1:]) == [-12.5, 50.0]
    assert {v[4] for v in values[1:]} == {"Conference fee 1", '\'=HYPERLINK("http://evil.example")'}


def test_the_budget_csv_keeps_a_refunds_minus_sign(app, make, browser):
    award, staff = _world(app, make)
    browser.sign_in(staff.email)
    with app.app_context():
        cohort_id = db.session.get(Award, award.id).cohort_id
    rows = list(csv.reader(io.StringIO(browser.get(f"/money/budget/{cohort_id}.csv").text)))
    assert sorted(r[7] for r in rows[1:]) == ["-12.50", "50.00"]
