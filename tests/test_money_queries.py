"""Query counts for the money pages: a holder's personal award and the staff queue make as
many queries with 100 items behind them as with 10."""

from __future__ import annotations

from datetime import timedelta
from itertools import cycle
from types import SimpleNamespace

from app.cohorts.models import Cohort
from app.core import storage
from app.core.roles import Role
from app.extensions import db
from app.money.models import Category, ItemStatus, Receipt, SpendingItem
from tests.matrix.money import PDF
from tests.test_query_counts import World, assert_flat, page_queries


def _add(app, awards, n: int, status=ItemStatus.SUBMITTED) -> None:
    """`n` items with a receipt each, spread over `awards` in turn."""
    with app.app_context():
        stored = storage.put(PDF, "r.pdf")
        for i, award in zip(range(n), cycle(awards), strict=False):
            item = SpendingItem(
                award_id=award.id,
                category=list(Category)[i % len(Category)],
                description=f"Item {i}",
                supplier="Supplier",
                spent_on=award.start + timedelta(days=i % 300),
                amount_pence=100 + i,
                status=status,
                created_by_id=award.holder_id,
                submitted_by_id=award.holder_id,
                decided_by_id=award.holder_id if status == ItemStatus.APPROVED else None,
            )
            item.receipts.append(Receipt(file_id=stored.id, filename=f"r{i}.pdf"))
            db.session.add(item)
        db.session.commit()


def _awards(app, make, n):
    cohort = make.running_cohort(places=100)
    return _plain(app, World(app, make).holders(cohort, n, days=0))


def _plain(app, awards):
    with app.app_context():
        from app.awards.models import Award

        out = []
        for a in awards:
            award = db.session.get(Award, a.id)
            out.append(
                SimpleNamespace(
                    id=award.id,
                    holder_id=award.holder_id,
                    start=award.cohort.programme_start,
                    email=award.holder.email,
                )
            )
        return out


def test_a_personal_award_page_does_not_grow_with_its_items(app, make, browser):
    (award,) = _awards(app, make, 1)
    email = award.email
    url = f"/money/awards/{award.id}"
    _add(app, [award], 10, ItemStatus.PLANNED)
    browser.sign_in(email)
    at_10 = page_queries(app, browser, url)
    _add(app, [award], 90, ItemStatus.PLANNED)
    at_100 = page_queries(app, browser, url)
    assert_flat("money award", at_10, at_100)


def test_the_staff_queue_does_not_grow_with_items_or_holders(app, make, browser):
    awards = _awards(app, make, 25)
    staff = make.user(Role.STAFF)
    _add(app, awards, 10)
    browser.sign_in(staff.email)
    at_10 = page_queries(app, browser, "/money/queue")
    _add(app, awards, 90)
    at_100 = page_queries(app, browser, "/money/queue")
    assert_flat("money queue", at_10, at_100)


def test_the_programme_budget_does_not_grow_with_items_or_holders(app, make, browser):
    from app.awards.models import Award

    awards = _awards(app, make, 5)
    staff = make.user(Role.STAFF)
    with app.app_context():
        cohort_id = db.session.get(Award, awards[0].id).cohort_id
    url = f"/money/budget/{cohort_id}"
    _add(app, awards, 10, ItemStatus.APPROVED)
    browser.sign_in(staff.email)
    at_10 = page_queries(app, browser, url)
    more = _plain(app, World(app, make).holders(make.reload(Cohort, cohort_id), 5, days=0))
    _add(app, [*awards, *more], 90, ItemStatus.APPROVED)
    at_100 = page_queries(app, browser, url)
    assert_flat("money budget", at_10, at_100)


def _backfill(app, award, n: int, start: int) -> None:
    """`n` invoices (each with its document) and payments for one award holder."""
    from app.money.models import BackfillEntry, BackfillKind

    with app.app_context():
        stored = storage.put(PDF + b"invoice", "invoice.pdf")
        for i in range(start, start + n):
            invoice = i % 2 == 0
            db.session.add(
                BackfillEntry(
                    award_id=award.id,
                    kind=BackfillKind.INVOICE if invoice else BackfillKind.PAYMENT,
                    reference=f"REF-{i}",
                    dated_on=award.start + timedelta(days=i % 300),
                    amount_pence=100 + i,
                    file_id=stored.id if invoice else None,
                    filename=f"invoice-{i}.pdf" if invoice else None,
                )
            )
        db.session.commit()


def test_a_holders_backfill_page_does_not_grow_with_its_invoices_and_payments(app, make, browser):
    (award,) = _awards(app, make, 1)
    browser.sign_in(make.user(Role.STAFF).email)
    url = f"/money/backfill/{award.id}"
    _backfill(app, award, 10, 0)
    at_10 = page_queries(app, browser, url)
    _backfill(app, award, 90, 10)
    at_100 = page_queries(app, browser, url)
    assert_flat("money backfill", at_10, at_100)


def test_a_holders_backfill_entries_are_paged_and_the_totals_are_of_them_all(app, make, browser):
    (award,) = _awards(app, make, 1)
    browser.sign_in(make.user(Role.STAFF).email)
    url = f"/money/backfill/{award.id}"
    _backfill(app, award, 30, 0)
    per_page = app.config["PER_PAGE"]
    assert per_page < 30
    first = browser.get(url).get_data(as_text=True)
    assert first.count("REF-") == per_page and "?page=2" in first
    seen, n = [], 1
    while True:
        page = browser.get(f"{url}?page={n}").get_data(as_text=True)
        found = page.count("REF-")
        if not found:
            break
        seen.append(found)
        n += 1
    assert sum(seen) == 30 and all(c == per_page for c in seen[:-1])
    # the figures are over every entry, on every page: 15 invoices of 100 + i pence
    invoiced = sum(100 + i for i in range(0, 30, 2))
    assert f"£{invoiced // 100}.{invoiced % 100:02d}" in page
    assert "No invoices or payments yet" not in page  # past the last page


def test_the_programme_budget_pages_its_holders_and_totals_them_all(app, make, browser):
    from app.awards.models import Award

    per_page = app.config["PER_PAGE"]
    awards = _awards(app, make, per_page + 2)
    with app.app_context():
        cohort_id = db.session.get(Award, awards[0].id).cohort_id
    browser.sign_in(make.user(Role.STAFF).email)
    url = f"/money/budget/{cohort_id}"

    def rows(page: str) -> int:
        table = page.split('id="holders"', 1)[1].split("</table>", 1)[0]
        return table.count('<tr class="nhsuk-table__row">') - 1  # the header row

    first = browser.get(url).get_data(as_text=True)
    assert f"to {per_page + 2} award holders" in first
    assert rows(first) == per_page and "?page=2" in first
    second = browser.get(url + "?page=2").get_data(as_text=True)
    assert rows(second) == 2 and f"to {per_page + 2} award holders" in second
