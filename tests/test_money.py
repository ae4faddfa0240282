"""The personal award: money parsing, stored files, the cap at its edge, every state
change, separation of duties, and the journeys over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User, UserRole
from app.awards.models import Award
from app.core import storage
from app.core.audit import AuditEntry
from app.core.forms import BaseForm, MoneyField
from app.core.roles import Role
from app.extensions import db
from app.money import services
from app.money.models import Category, ItemStatus, PaymentMethod, Receipt, SpendingItem
from app.money.services import ItemChanged, MoneyError
from tests.helpers import last_email
from tests.helpers import text as _html
from tests.matrix.money import PDF, spending


def text(resp) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _html(resp)))


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
HTML = b"<!doctype html><script>alert(1)</script>"
EXE = b"MZ\x90\x00" + b"\x00" * 60


# Money parsing ------------------------------------------------------------------------


class AmountForm(BaseForm):
    class Meta:
        csrf = False

    amount = MoneyField("Amount", maximum=10_000_000)


def _parse(app, value: str):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = AmountForm(formdata=MultiDict({"amount": value}))
        ok = form.validate()
        return (form.amount.data if ok else None), form.amount.errors


@pytest.mark.parametrize(
    "typed, pence",
    [
        ("12.50", 1250),
        ("£12.50", 1250),
        ("12", 1200),
        ("12.5", 1250),
        ("1,250.00", 125000),
        ("0.01", 1),
        ("100000", 10_000_000),
    ],
)
def test_money_field_reads_pounds_and_pence(app, typed, pence):
    assert _parse(app, typed) == (pence, [])


@pytest.mark.parametrize(
    "typed, message",
    [
        ("abc", "Amount must be an amount in pounds and pence, like 12.50"),
        ("-5", "Amount must be more than £0"),
        ("1e9", "Amount must be an amount in pounds and pence, like 12.50"),
        ("12.345", "Amount must be in pounds and whole pence, like 12.50"),
        ("0", "Amount must be more than £0"),
        ("100000.01", "Amount must be £100,000.00 or less"),
        ("99999999999999", "Amount must be an amount in pounds and pence, like 12.50"),
        ("", "Enter the amount"),
    ],
)
def test_money_field_refuses_what_is_not_money(app, typed, message):
    value, errors = _parse(app, typed)
    assert (value, errors) == (None, [message])


def test_money_field_drops_control_characters_first(app):
    assert _parse(app, "12\x00.50") == (1250, [])


# Storage ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, kind", [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")]
)
def test_storage_accepts_by_content(ctx, data, kind):
    stored = storage.put(data, "anything.txt", "text/plain")
    assert stored.content_type == kind and stored.size_bytes == len(data)
    assert storage.display_name("../../evil.txt", stored) == "evil" + stored.extension


@pytest.mark.parametrize("data", [HTML, EXE, b"", b"PDF-1.4 not quite"])
def test_storage_refuses_what_is_not_a_pdf_or_image_whatever_its_name(ctx, data):
    with pytest.raises(storage.StorageError):
        storage.put(data, "receipt.pdf", "application/pdf")
    assert db.session.scalar(select(func.count(storage.StoredFile.id))) == 0


def test_storage_size_limit_at_its_edge(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_MAX_BYTES", 100)
    assert storage.put(PDF.ljust(100, b" "), "a.pdf").size_bytes == 100
    with pytest.raises(storage.StorageError, match="smaller than"):
        storage.put(PDF.ljust(101, b" "), "b.pdf")


def test_storage_is_content_addressed(ctx):
    a = storage.put(PDF, "a.pdf")
    db.session.flush()
    assert storage.put(PDF, "b.pdf").id == a.id
    assert len(a.sha256) == 64


# Services -----------------------------------------------------------------------------


def _setting(app, make, cap=400_000, threshold=None):
    cohort = make.running_cohort(second_approval_above_pence=threshold)
    award = make.award(cohort=cohort)
    staff = make.user(Role.STAFF)
    other = make.user(Role.STAFF)
    with app.app_context():
        a = db.session.get(Award, award.id)
        a.personal_award_cap_pence = cap
        db.session.commit()
    return award, staff, other


def _item(app, award_id, amount, status="planned", staff_id=None):
    (item_id,) = spending(app, award_id, staff_id, amounts=(amount,))
    with app.app_context():
        item = db.session.get(SpendingItem, item_id)
        holder = item.award.holder
        if status != "planned":
            services.submit(item, holder)
        db.session.commit()
    return item_id


def _get(item_id):
    return db.session.get(SpendingItem, item_id)


def _user(user):
    return db.session.get(User, user.id)


def _audits(action):
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def test_submitting_exactly_to_the_cap_is_accepted_one_penny_over_is_refused(app, make):
    award, staff, _ = _setting(app, make, cap=10_000)
    first = _item(app, award.id, 6_000, "submitted")
    at_cap = _item(app, award.id, 4_000)
    over = _item(app, award.id, 1)
    with app.test_request_context():
        services.submit(_get(at_cap), _get(at_cap).award.holder)
        db.session.commit()
        with pytest.raises(MoneyError, match="£0.01 over the personal award of £100.00"):
            services.submit(_get(over), _get(over).award.holder)
        db.session.rollback()
        f = services.figures(db.session.get(Award, award.id))
        assert (f.pending, f.planned, f.remaining) == (10_000, 1, 0)
        assert _get(first).status == ItemStatus.SUBMITTED


def test_every_state_change_in_order_with_one_audit_entry_each(app, make):
    award, staff, _ = _setting(app, make)
    item_id = _item(app, award.id, 2_500)
    with app.test_request_context():
        item = _get(item_id)
        holder = item.award.holder
        services.submit(item, holder)
        assert item.status == ItemStatus.SUBMITTED
        services.approve(item, _user(staff))
        assert item.status == ItemStatus.APPROVED and item.decided_by_id == staff.id
        with pytest.raises(MoneyError, match="payment reference"):
            services.pay(item, _user(staff), "  ")
        services.pay(item, _user(staff), "PO-1")
        db.session.commit()
        assert item.status == ItemStatus.PAID and item.payment_reference == "PO-1"
        assert item.payment_method == PaymentMethod.REIMBURSED  # unless said otherwise
        for action in ("submitted", "approved", "paid"):
            assert _audits(f"money.item_{action}") == 1
        f = services.figures(item.award)
        assert (f.committed, f.paid, f.pending) == (2_500, 2_500, 0)
        # paid is final: nothing moves it on, and it cannot be edited
        with pytest.raises(ItemChanged):
            services.approve(item, _user(staff))
        with pytest.raises(MoneyError, match="Record a correction"):
            services.update(item, holder, _details(item.award))


def _details(award, amount=100, on=None):
    return services.ItemDetails(
        category=Category.BOOKS,
        description="A book",
        supplier="",
        spent_on=on or award.cohort.programme_start,
        amount_pence=amount,
    )


def test_rejected_items_say_why_and_return_to_planned_when_changed(app, make):
    award, staff, _ = _setting(app, make)
    item_id = _item(app, award.id, 2_500, "submitted")
    with app.test_request_context():
        item = _get(item_id)
        with pytest.raises(MoneyError, match="reason"):
            services.reject(item, _user(staff), "")
        services.reject(item, _user(staff), "Not research spending")
        assert item.status == ItemStatus.REJECTED and item.rejection_reason
        with pytest.raises(ItemChanged):
            services.approve(item, _user(staff))
        services.update(item, item.award.holder, _details(item.award, 2_000))
        assert item.status == ItemStatus.PLANNED and item.rejection_reason is None
        db.session.commit()


def test_submitting_needs_a_receipt(app, make):
    award, _staff, _ = _setting(app, make)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        item = services.record(a, a.holder, _details(a))
        with pytest.raises(MoneyError, match="Add a receipt"):
            services.submit(item, a.holder)


def test_dates_outside_the_programme_are_refused(app, make):
    award, _staff, _ = _setting(app, make)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        services.record(a, a.holder, _details(a, on=a.cohort.programme_end))
        with pytest.raises(MoneyError, match="programme year"):
            services.record(a, a.holder, _details(a, on=a.cohort.programme_end + timedelta(1)))
        with pytest.raises(MoneyError, match="programme year"):
            services.record(a, a.holder, _details(a, on=a.cohort.programme_start - timedelta(1)))


def test_no_one_approves_what_they_submitted(app, make):
    award, staff, _ = _setting(app, make)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        holder = a.holder
        # the holder is also programme staff
        db.session.add(UserRole(user_id=holder.id, role=Role.STAFF))
        db.session.flush()
        db.session.expire(holder, ["role_links"])
        assert holder.has_role(Role.STAFF)
        item = services.record(a, holder, _details(a))
        services.add_receipt(item, holder, PDF, "r.pdf", None)
        services.submit(item, holder)
        with pytest.raises(MoneyError, match="Another member of staff must approve"):
            services.approve(item, holder)
        with pytest.raises(MoneyError):
            services.reject(item, holder, "mine")
        assert services.approve(item, _user(staff)) is True


def test_above_the_cohort_threshold_two_different_people_approve(app, make):
    award, staff, other = _setting(app, make, threshold=10_000)
    at_limit = _item(app, award.id, 10_000, "submitted")
    above = _item(app, award.id, 10_001, "submitted")
    with app.test_request_context():
        assert services.approve(_get(at_limit), _user(staff)) is True
        assert services.approve(_get(above), _user(staff)) is False
        assert _get(above).status == ItemStatus.SUBMITTED
        with pytest.raises(MoneyError, match="already approved"):
            services.approve(_get(above), _user(staff))
        assert services.approve(_get(above), _user(other)) is True
        assert _get(above).status == ItemStatus.APPROVED
        db.session.commit()


def test_a_correction_is_a_new_item_and_may_take_money_off(app, make):
    award, staff, _ = _setting(app, make)
    (approved,) = spending(app, award.id, staff.id, amounts=(5_000,), approve=True)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        fix = services.record(a, a.holder, _details(a, -1_000), adjusts=_get(approved))
        services.add_receipt(fix, a.holder, PDF + b"refund", "refund.pdf", None)
        services.submit(fix, a.holder)
        services.approve(fix, _user(staff))
        db.session.commit()
        assert services.figures(a).committed == 4_000
        assert _get(approved).amount_pence == 5_000
        with pytest.raises(MoneyError, match="cannot take off more than the item's £50.00"):
            services.record(a, a.holder, _details(a, -5_001), adjusts=_get(approved))
        services.record(a, a.holder, _details(a, -5_000), adjusts=_get(approved))
        with pytest.raises(MoneyError, match="approved or paid"):
            services.record(a, a.holder, _details(a), adjusts=fix.__class__(status="planned"))


def test_a_holders_cap_changes_with_a_reason_never_below_what_is_committed(app, make):
    award, staff, _ = _setting(app, make, cap=10_000)
    _item(app, award.id, 6_000, "submitted")
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        with pytest.raises(MoneyError, match="reason"):
            services.change_cap(a, _user(staff), 20_000, "")
        with pytest.raises(MoneyError, match="£60.00"):
            services.change_cap(a, _user(staff), 5_999, "Less")
        services.change_cap(a, _user(staff), 6_000, "Agreed reduction")
        db.session.commit()
        assert a.personal_award_cap_pence == 6_000
        assert _audits("money.cap_changed") == 1


# Journeys over HTTP -------------------------------------------------------------------


def _holder_email(app, award):
    with app.app_context():
        return db.session.get(Award, award.id).holder.email


def _date(d):
    return {"spent_on-day": d.day, "spent_on-month": d.month, "spent_on-year": d.year}


def test_holder_records_with_a_receipt_and_submits_staff_approve_and_pay(
    app, make, browser_factory
):
    award, staff, _ = _setting(app, make)
    holder = browser_factory()
    holder.sign_in(_holder_email(app, award))
    with app.app_context():
        start = db.session.get(Award, award.id).cohort.programme_start
    resp = holder.post(
        f"/money/awards/{award.id}/items/new",
        {
            "category": "media",
            "description": "Video of my findings",
            "supplier": "Northern Films",
            "amount": "£1,250.00",
            **_date(start),
        },
    )
    assert resp.status_code == 302, text(resp)
    item_url = resp.headers["Location"]
    item_id = int(item_url.rsplit("/", 1)[1])
    # submitting without a receipt is refused
    resp = holder.post(f"/money/items/{item_id}/submit", token_from=item_url, follow_redirects=True)
    assert "Add a receipt or invoice before you submit" in text(resp)
    resp = holder.client.post(
        f"/money/items/{item_id}/receipts",
        data={
            "csrf_token": holder.token(item_url),
            "receipt": (__import__("io").BytesIO(PNG), "invoice.png"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302, text(resp)
    resp = holder.post(f"/money/items/{item_id}/submit", token_from=item_url)
    assert resp.status_code == 302
    page = text(holder.get(f"/money/awards/{award.id}"))
    assert "Waiting for approval £1,250.00" in page and "Remaining £2,750.00" in page

    s = browser_factory()
    s.sign_in(staff.email)
    queue = text(s.get("/money/queue"))
    assert "Video of my findings" in queue and "1 receipt" in queue
    resp = s.post(
        "/money/queue/decide",
        {"items": [item_id], "decision": "approve"},
        token_from="/money/queue",
        follow_redirects=True,
    )
    assert "1 item approved" in text(resp)
    # how it was paid must be said; nothing changes until it is
    resp = s.post(f"/money/items/{item_id}/pay", {"reference": "PO-2027-0142"})
    assert resp.status_code == 200 and "Select how the item was paid" in text(resp)
    resp = s.post(f"/money/items/{item_id}/pay", {"method": "cash", "reference": "PO-2027-0142"})
    assert resp.status_code == 200 and "Not a valid choice" in text(resp)
    with app.app_context():
        assert db.session.get(SpendingItem, item_id).status == ItemStatus.APPROVED
    resp = s.post(f"/money/items/{item_id}/pay", {"method": "direct", "reference": "PO-2027-0142"})
    assert resp.status_code == 302
    page = text(holder.get(f"/money/awards/{award.id}"))
    assert "Approved and paid £1,250.00 (£1,250.00 paid)" in page
    # the queue opens on what waits for a decision; paid items are one filter away
    assert "Video of my findings" not in text(s.get("/money/queue"))
    assert "Video of my findings" in text(s.get("/money/queue?status=paid"))
    item_page = text(holder.get(item_url))
    assert "PO-2027-0142" in item_page
    assert "How it was paid Paid directly to the supplier" in item_page
    paid = last_email(app, _holder_email(app, award))
    assert "has been paid directly to the supplier. Payment reference: PO-2027-0142" in paid.body
    # the receipt downloads as an attachment, with its real type
    with app.app_context():
        receipt_id = db.session.scalar(select(Receipt.id).where(Receipt.item_id == item_id))
    resp = holder.get(f"/money/receipts/{receipt_id}")
    assert resp.status_code == 200 and resp.data == PNG
    assert resp.mimetype == "image/png"
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="invoice.png"')
    # approved items are not editable
    assert holder.get(f"/money/items/{item_id}/edit").status_code == 404
    csv_text = s.get("/money/queue.csv?status=paid").get_data(as_text=True)
    assert "Video of my findings" in csv_text and "1250.00" in csv_text


@pytest.mark.parametrize("amount", ["abc", "-5", "1e9", "12.345"])
def test_bad_amounts_show_the_error_summary_and_store_nothing(app, make, browser, amount):
    award, _s, _ = _setting(app, make)
    browser.sign_in(_holder_email(app, award))
    with app.app_context():
        start = db.session.get(Award, award.id).cohort.programme_start
    resp = browser.post(
        f"/money/awards/{award.id}/items/new",
        {"category": "books", "description": "Books", "amount": amount, **_date(start)},
    )
    assert resp.status_code == 200
    assert "There is a problem" in text(resp) and 'href="#amount"' in resp.get_data(True)
    with app.app_context():
        assert db.session.scalar(select(func.count(SpendingItem.id))) == 0


def test_a_date_outside_the_programme_is_refused_over_http(app, make, browser):
    award, _s, _ = _setting(app, make)
    browser.sign_in(_holder_email(app, award))
    with app.app_context():
        end = db.session.get(Award, award.id).cohort.programme_end
    resp = browser.post(
        f"/money/awards/{award.id}/items/new",
        {
            "category": "books",
            "description": "Books",
            "amount": "10",
            **_date(end + timedelta(days=1)),
        },
    )
    assert "The date must be in the programme year" in text(resp)


@pytest.mark.parametrize(
    "data, name, message",
    [
        (HTML, "receipt.pdf", "must be a PDF, PNG or JPEG"),
        (EXE, "receipt.pdf", "must be a PDF, PNG or JPEG"),
        (PDF.ljust(200, b" "), "big.pdf", "must be smaller than"),
    ],
)
def test_fake_and_oversize_receipts_are_refused_and_nothing_is_stored(
    app, make, browser, monkeypatch, data, name, message
):
    import io

    monkeypatch.setitem(app.config, "STORAGE_MAX_BYTES", 150)
    award, staff, _ = _setting(app, make)
    browser.sign_in(_holder_email(app, award))
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        item = services.record(a, a.holder, _details(a))
        db.session.commit()
        item_id = item.id
    url = f"/money/items/{item_id}"
    resp = browser.client.post(
        f"{url}/receipts",
        data={"csrf_token": browser.token(url), "receipt": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200 and message in text(resp)
    assert "There is a problem" in text(resp)
    with app.app_context():
        assert db.session.scalar(select(func.count(storage.StoredFile.id))) == 0
        assert db.session.scalar(select(func.count(Receipt.id))) == 0


def test_someone_elses_items_and_receipts_answer_404(app, make, browser):
    award, staff, _ = _setting(app, make)
    (item_id,) = spending(app, award.id, staff.id)
    other = make.award(cohort=make.running_cohort())
    browser.sign_in(_holder_email(app, other))
    with app.app_context():
        receipt_id = db.session.scalar(select(Receipt.id).where(Receipt.item_id == item_id))
    for url in (
        f"/money/items/{item_id}",
        f"/money/items/{item_id}/edit",
        f"/money/receipts/{receipt_id}",
        f"/money/awards/{award.id}",
        "/money/items/99999999999",
    ):
        assert browser.get(url).status_code == 404, url
    resp = browser.post(f"/money/items/{item_id}/submit", token_from=f"/money/awards/{other.id}")
    assert resp.status_code == 404
    with app.app_context():
        assert _get(item_id).status == ItemStatus.PLANNED


def test_staff_see_figures_and_change_a_holders_cap(app, make, browser):
    award, staff, _ = _setting(app, make)
    browser.sign_in(staff.email)
    resp = browser.post(f"/money/awards/{award.id}/cap", {"cap": "4500", "reason": ""})
    assert "Enter a reason for changing the personal award" in text(resp)
    resp = browser.post(
        f"/money/awards/{award.id}/cap", {"cap": "4500.00", "reason": "Extra conference"}
    )
    assert resp.status_code == 302
    assert "Personal award £4,500.00" in text(browser.get(f"/money/awards/{award.id}"))


def test_bulk_reject_needs_a_reason(app, make, browser):
    award, staff, _ = _setting(app, make)
    item_id = _item(app, award.id, 1_000, "submitted")
    browser.sign_in(staff.email)
    resp = browser.post(
        "/money/queue/decide",
        {"items": [item_id], "decision": "reject"},
        token_from="/money/queue",
        follow_redirects=True,
    )
    assert "Enter a reason to reject" in text(resp)
    resp = browser.post(
        "/money/queue/decide",
        {"items": [item_id], "decision": "reject", "reason": "No receipt total"},
        token_from="/money/queue",
        follow_redirects=True,
    )
    assert "1 item rejected" in text(resp)
    assert re.search(r"No receipt total", text(browser.get(f"/money/items/{item_id}")))
    email = last_email(app, _holder_email(app, award))
    assert email.template == "money_decided" and "Why: No receipt total" in email.body


# The programme budget ------------------------------------------------------------------


def test_the_programme_budget_sums_every_holder_and_exports_csv_and_excel(app, make, browser):
    import io

    from openpyxl import load_workbook

    award, staff, _ = _setting(app, make, cap=100_000)
    from app.cohorts.models import Cohort

    other = make.award(cohort=make.reload(Cohort, award.cohort_id))
    spending(app, award.id, staff.id, amounts=(10_000, 2_550), approve=True)
    spending(app, other.id, staff.id, amounts=(40_000,), approve=True)
    _item(app, other.id, 1_000, "submitted")
    cohort_id = award.cohort_id
    browser.sign_in(staff.email)
    page = text(browser.get(f"/money/budget/{cohort_id}"))
    # caps £1,000 + £4,000; approved £125.50 + £400; pending £10
    assert "Allocated £5,000.00 to 2 award holders" in page
    assert "Approved and paid £525.50 (£0.00 paid)" in page
    assert "Waiting for approval £10.00" in page
    assert "Remaining £4,464.50" in page
    assert "Conference fee £525.50" in page
    csv_text = browser.get(f"/money/budget/{cohort_id}.csv").get_data(as_text=True)
    assert csv_text.count("\n") == 5 and "125.50" not in csv_text and "25.50" in csv_text
    resp = browser.get(f"/money/budget/{cohort_id}.xlsx")
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    wb = load_workbook(io.BytesIO(resp.data))
    rows = list(wb["Transactions"].iter_rows(values_only=True))
    assert len(rows) == 5 and sum(r[7] for r in rows[1:]) == pytest.approx(535.50)
    assert rows[0][1] == "Fund" and {r[1] for r in rows[1:]} == {"Personal award"}
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Allocated"] == 5000 and summary["Remaining"] == pytest.approx(4464.50)


def test_a_holder_changes_a_planned_item_and_corrects_an_approved_one_over_http(app, make, browser):
    award, staff, _ = _setting(app, make)
    (planned,) = spending(app, award.id, staff.id, amounts=(1_000,))
    (approved,) = spending(app, award.id, staff.id, amounts=(5_000,), approve=True)
    browser.sign_in(_holder_email(app, award))
    page = browser.get(f"/money/items/{planned}/edit").get_data(as_text=True)
    assert 'value="10.00"' in page
    with app.app_context():
        start = db.session.get(Award, award.id).cohort.programme_start
    resp = browser.post(
        f"/money/items/{planned}/edit",
        {"category": "books", "description": "Two books", "amount": "12.99", **_date(start)},
    )
    assert resp.status_code == 302
    resp = browser.post(
        f"/money/items/{approved}/correct",
        {
            "direction": "less",
            "category": "conference",
            "description": "Refund of part",
            "amount": "10",
            **_date(start),
        },
    )
    assert resp.status_code == 302
    with app.app_context():
        assert _get(planned).amount_pence == 1_299 and _get(planned).category == Category.BOOKS
        fix = db.session.scalar(select(SpendingItem).where(SpendingItem.adjusts_id == approved))
        assert fix.amount_pence == -1_000 and fix.status == ItemStatus.PLANNED
    assert browser.get(f"/money/items/{approved}/edit").status_code == 404
