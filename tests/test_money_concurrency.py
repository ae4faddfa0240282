"""The personal award under 20 parallel requests (both databases; run with
TEST_DATABASE_URL for PostgreSQL): submissions that together pass the cap are never all
accepted, and an item approved by twenty people at once is approved once."""

from __future__ import annotations

from sqlalchemy import func, select

from app.awards.models import Award
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.extensions import db
from app.money.models import ItemStatus, SpendingItem
from tests.matrix.money import spending
from tests.test_concurrency import PARALLEL, _at_once, _signed_in

CAP = 400_000
EACH = 30_000  # 20 x GBP 300 = GBP 6,000: only 13 fit in GBP 4,000


def test_twenty_parallel_submissions_past_the_cap_never_all_pass(app, make, browser_factory):
    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    ids = spending(app, award.id, staff.id, amounts=[EACH] * PARALLEL)
    with app.app_context():
        a = db.session.get(Award, award.id)
        assert a.personal_award_cap_pence == CAP
        email = a.holder.email
    browsers, token = _signed_in(browser_factory, email, PARALLEL, f"/money/items/{ids[0]}")
    responses = _at_once(
        [
            lambda b=b, i=i: b.post(f"/money/items/{i}/submit", data={"csrf_token": token})
            for b, i in zip(browsers, ids, strict=True)
        ]
    )
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert {r.status_code for r in responses} == {302}
    with app.app_context():
        submitted = db.session.scalar(
            select(func.sum(SpendingItem.amount_pence)).where(
                SpendingItem.status == ItemStatus.SUBMITTED
            )
        )
        audits = db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "money.item_submitted")
        )
    assert submitted == (CAP // EACH) * EACH  # 13 accepted, 7 refused
    assert submitted <= CAP
    assert audits == CAP // EACH


def test_twenty_parallel_approvals_of_one_item_make_one(app, make, browser_factory):
    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    (item_id,) = spending(app, award.id, staff.id, amounts=[EACH])
    with app.test_request_context():
        from app.money import services

        item = db.session.get(SpendingItem, item_id)
        services.submit(item, item.award.holder)
        db.session.commit()
    url = f"/money/items/{item_id}"
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, url)
    responses = _at_once(
        [lambda b=b: b.post(url + "/approve", data={"csrf_token": token}) for b in browsers]
    )
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    with app.app_context():
        assert db.session.get(SpendingItem, item_id).status == ItemStatus.APPROVED
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "money.item_approved")
            )
            == 1
        )
