"""A cohort's second-approver threshold (set by programme staff, audited with before and
after), and the award holder's emails when an item is approved, rejected or paid."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.audit import AuditEntry
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from app.money import services
from app.money.models import ItemStatus, SpendingItem
from app.money.services import MoneyError
from tests.helpers import text as _html
from tests.matrix.money import spending

ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def text(resp) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _html(resp)))


def _audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _threshold(app, cohort_id: int):
    with app.app_context():
        return db.session.get(Cohort, cohort_id).second_approval_above_pence


# The threshold: the service's rules -----------------------------------------------------


def test_staff_set_change_and_clear_the_threshold_with_before_and_after_audited(app, make):
    cohort = make.running_cohort()
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        c, me = db.session.get(Cohort, cohort.id), db.session.get(User, staff.id)
        assert services.set_second_approval(c, me, 50_000) is True
        assert services.set_second_approval(c, me, 25_000) is True
        # the same value again changes nothing and writes no audit entry
        assert services.set_second_approval(c, me, 25_000) is False
        assert services.set_second_approval(c, me, None) is True
        db.session.commit()
        entries = _audits("money.second_approval_changed")
        assert [e.changes["second_approval_above_pence"] for e in entries] == [
            [None, 50_000],
            [50_000, 25_000],
            [25_000, None],
        ]
        assert entries[0].actor_id == staff.id and "above £500.00" in entries[0].summary
        assert c.second_approval_above_pence is None


def test_a_negative_threshold_and_anyone_but_staff_are_refused(app, make):
    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        with pytest.raises(MoneyError, match="£0.00 or more"):
            services.set_second_approval(a.cohort, db.session.get(User, staff.id), -1)
        with pytest.raises(MoneyError, match="Only programme staff"):
            services.set_second_approval(a.cohort, a.holder, 10_000)
        services.set_second_approval(a.cohort, db.session.get(User, staff.id), 0)
        assert a.cohort.second_approval_above_pence == 0
        db.session.rollback()


def test_the_threshold_set_on_the_page_decides_who_approves(app, make, browser_factory):
    """Set through the page; an item one penny above needs two approvers, one at it
    needs one."""
    award = make.award(cohort=make.running_cohort())
    staff, other = make.user(Role.STAFF), make.user(Role.STAFF)
    s = browser_factory()
    s.sign_in(staff.email)
    url = f"/money/budget/{award.cohort_id}/second-approver"
    page = text(s.get(url))
    assert "Second approver for larger items" in page and "Personal award cap £4,000.00" in page
    resp = s.post(url, {"needed": "yes", "above": "£250.00"}, follow_redirects=True)
    assert "Approval rule saved" in text(resp)
    assert "Needed for items above £250.00" in text(resp)
    assert _threshold(app, award.cohort_id) == 25_000
    at, above = spending(app, award.id, None, amounts=(25_000, 25_001))
    with app.test_request_context():
        me, them = db.session.get(User, staff.id), db.session.get(User, other.id)
        for item_id in (at, above):
            item = db.session.get(SpendingItem, item_id)
            services.submit(item, item.award.holder)
        assert services.approve(db.session.get(SpendingItem, at), me) is True
        assert services.approve(db.session.get(SpendingItem, above), me) is False
        assert services.approve(db.session.get(SpendingItem, above), them) is True
        db.session.commit()
    # cleared: one approver is enough again
    resp = s.post(url, {"needed": "no", "above": "250.00"}, follow_redirects=True)
    assert "Not needed: one member of staff approves any item" in text(resp)
    assert _threshold(app, award.cohort_id) is None
    resp = s.post(url, {"needed": "no", "above": ""}, follow_redirects=True)
    assert "Nothing was changed" in text(resp)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"needed": "yes", "above": "abc"}, "must be an amount in pounds and pence"),
        ({"needed": "yes", "above": "-5"}, "must be more than £0"),
        ({"needed": "yes", "above": "1e9"}, "must be an amount in pounds and pence"),
        ({"needed": "yes", "above": "12.345"}, "whole pence"),
        ({"needed": "yes", "above": "100001"}, "£100,000.00 or less"),
        ({"needed": "yes", "above": ""}, "Enter the amount above which items need a second"),
        ({"above": "500"}, "Select whether larger items need a second approver"),
        ({"needed": "maybe", "above": "500"}, "Not a valid choice"),
    ],
)
def test_bad_input_shows_the_error_summary_and_changes_nothing(app, make, browser, data, message):
    cohort = make.running_cohort(second_approval_above_pence=40_000)
    browser.sign_in(make.user(Role.STAFF).email)
    resp = browser.post(f"/money/budget/{cohort.id}/second-approver", data)
    assert resp.status_code == 200
    page = text(resp)
    assert "There is a problem" in page and message in page, page
    assert _threshold(app, cohort.id) == 40_000
    with app.app_context():
        assert not _audits("money.second_approval_changed")


def test_an_unknown_or_too_large_cohort_id_is_a_404(app, make, browser):
    browser.sign_in(make.user(Role.STAFF).email)
    assert browser.get("/money/budget/999999/second-approver").status_code == 404
    assert browser.get("/money/budget/99999999999/second-approver").status_code == 404


# Emails to the award holder ---------------------------------------------------------------


def _emails(app, to: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.to_address == to, OutboxMessage.template == "money_decided")
                .order_by(OutboxMessage.id)
            )
        )
        db.session.expunge_all()
        return rows


def _submitted(app, award_id: int, description: str, amount: int) -> int:
    (item_id,) = spending(app, award_id, None, amounts=(amount,))
    with app.test_request_context():
        item = db.session.get(SpendingItem, item_id)
        item.description = description
        services.submit(item, item.award.holder)
        db.session.commit()
    return item_id


def test_the_holder_is_emailed_when_approved_not_at_a_first_of_two_approvals(app, make):
    award = make.award(cohort=make.running_cohort(second_approval_above_pence=10_000))
    staff = make.user(Role.STAFF, name="Pádraig O'Brien")
    other = make.user(Role.STAFF)
    big = _submitted(app, award.id, "O'Reilly's research methods & practice", 20_000)
    with app.test_request_context():
        holder = db.session.get(Award, award.id).holder.email
        first = services.approve(db.session.get(SpendingItem, big), db.session.get(User, staff.id))
        assert first is False
        db.session.commit()
    assert _emails(app, holder) == []  # only the first of two approvals
    with app.test_request_context():
        services.approve(db.session.get(SpendingItem, big), db.session.get(User, other.id))
        db.session.commit()
    (msg,) = _emails(app, holder)
    assert msg.subject == "A personal-award item was approved"
    assert "\"O'Reilly's research methods & practice\" (£200.00)" in msg.body
    assert "has approved" in msg.body and f"/money/items/{big}" in msg.body
    assert not ENTITY.search(msg.body)


def test_approving_over_http_emails_the_holder_after_the_commit(app, make, browser):
    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    item_id = _submitted(app, award.id, "Poster printing", 4_500)
    browser.sign_in(staff.email)
    resp = browser.post(f"/money/items/{item_id}/approve", token_from=f"/money/items/{item_id}")
    assert resp.status_code == 302
    with app.app_context():
        holder = db.session.get(Award, award.id).holder.email
        assert db.session.get(SpendingItem, item_id).status == ItemStatus.APPROVED
    (msg,) = _emails(app, holder)
    assert "Poster printing" in msg.body and "approved" in msg.subject
    # a refused approval (already approved) sends nothing more
    browser.post(f"/money/items/{item_id}/approve", token_from=f"/money/items/{item_id}")
    assert len(_emails(app, holder)) == 1


def test_rejected_and_paid_emails_say_why_and_give_the_reference(app, make):
    award = make.award(cohort=make.running_cohort())
    staff, other = make.user(Role.STAFF), make.user(Role.STAFF)
    no = _submitted(app, award.id, "Lunch", 1_000)
    yes = _submitted(app, award.id, "Conference fee", 2_000)
    with app.test_request_context():
        me = db.session.get(User, staff.id)
        services.reject(db.session.get(SpendingItem, no), me, "Isn't research spending")
        services.approve(db.session.get(SpendingItem, yes), me)
        services.pay(db.session.get(SpendingItem, yes), db.session.get(User, other.id), "PO-7")
        db.session.commit()
        holder = db.session.get(Award, award.id).holder.email
    rejected, approved, paid = _emails(app, holder)
    assert "Why: Isn't research spending" in rejected.body
    assert "approved" in approved.subject
    assert "Payment reference: PO-7" in paid.body and "paid" in paid.subject
    assert "has been paid: the money is reimbursed to you." in paid.body
    with app.app_context():
        count = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.template == "money_decided")
        )
    assert count == 3


# How a paid item was paid ------------------------------------------------------------------


def test_a_paid_item_always_says_how_it_was_paid_even_in_the_database(app, make):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    from app.money.models import PaymentMethod

    award = make.award(cohort=make.running_cohort())
    staff, other = make.user(Role.STAFF), make.user(Role.STAFF)
    item_id = _submitted(app, award.id, "Film of the findings", 90_000)
    with app.test_request_context():
        item = db.session.get(SpendingItem, item_id)
        services.approve(item, db.session.get(User, staff.id))
        services.pay(item, db.session.get(User, other.id), "PO-9", PaymentMethod.DIRECT)
        db.session.commit()
        assert item.payment_method == PaymentMethod.DIRECT
        with pytest.raises(IntegrityError):
            db.session.execute(
                update(SpendingItem).where(SpendingItem.id == item_id).values(payment_method=None)
            )
        db.session.rollback()
