"""Capacity under 20 parallel allocations (both databases): a coach with 5 places gets
exactly 5 award holders; the other 15 are told the coach is at capacity. Twenty parallel
allocations of one award holder give one current coach, never two."""

from __future__ import annotations

from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.core.roles import Role
from app.extensions import db
from app.supervision.models import Allocation, PoolKind, PoolMember
from tests.helpers import text
from tests.test_concurrency import PARALLEL, _at_once, _signed_in

CAPACITY = 5


def _setting(app, make, holders: int, capacity: int):
    cohort = make.running_cohort(places=100)
    awards = [make.award(cohort=cohort) for _ in range(holders)]
    coaches = [make.user(Role.COACH) for _ in range(2)]
    staff = make.user(Role.STAFF)
    with app.app_context():
        members = [
            PoolMember(cohort_id=cohort.id, user_id=c.id, kind=PoolKind.COACH, capacity=capacity)
            for c in coaches
        ]
        db.session.add_all(members)
        db.session.commit()
        return awards, [m.id for m in members], staff


def _counts(app):
    with app.app_context():
        return (
            db.session.scalar(
                select(func.count(Allocation.id)).where(Allocation.ended_on.is_(None))
            ),
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.action.in_(["supervision.allocated", "supervision.reallocated"])
                )
            ),
        )


def test_twenty_parallel_allocations_respect_capacity(app, make, browser_factory):
    awards, (member_id, _), staff = _setting(app, make, PARALLEL, CAPACITY)
    first = f"/supervision/awards/{awards[0].id}/allocate/coach"
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, first)
    calls = [
        lambda b=b, a=a: b.post(
            f"/supervision/awards/{a.id}/allocate/coach",
            data={"member": str(member_id), "csrf_token": token},
        )
        for b, a in zip(browsers, awards, strict=True)
    ]
    responses = _at_once(calls)
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * (PARALLEL - CAPACITY) + [302] * CAPACITY, codes
    for r in responses:
        if r.status_code == 200:
            assert f"capacity for {CAPACITY}" in text(r)
    assert _counts(app) == (CAPACITY, CAPACITY)


def test_twenty_parallel_allocations_of_one_holder_give_one_coach(app, make, browser_factory):
    (award,), members, staff = _setting(app, make, 1, 10)
    url = f"/supervision/awards/{award.id}/allocate/coach"
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, url)
    calls = [
        lambda b=b, i=i: b.post(
            url,
            data={"member": str(members[i % 2]), "reason": "Swap", "csrf_token": token},
        )
        for i, b in enumerate(browsers)
    ]
    responses = _at_once(calls)
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert all(r.status_code in (200, 302) for r in responses)
    current, audits = _counts(app)
    assert current == 1
    assert audits == sum(1 for r in responses if r.status_code == 302)


def test_twenty_parallel_ticks_of_one_item_give_one(app, make, browser_factory):
    """Staff ticking the same checklist item at once: one tick, one audit entry, and the
    others are told who ticked it."""
    from app.supervision.models import OnboardingTick

    (award,), _members, staff = _setting(app, make, 1, 1)
    page = f"/supervision/awards/{award.id}/onboarding"
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, page)
    calls = [
        lambda b=b: b.post(f"{page}/backfill/tick", data={"csrf_token": token}) for b in browsers
    ]
    responses = _at_once(calls)
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert all(r.status_code == 302 for r in responses)
    with app.app_context():
        ticks = db.session.scalar(select(func.count(OnboardingTick.id)))
        audits = db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "supervision.onboarding_ticked"
            )
        )
    assert (ticks, audits) == (1, 1)
    page_text = text(browsers[0].get(page))
    assert "Backfill arrangement agreed" in page_text
