"""The register under 20 parallel saves (both databases): one mark, one ledger day and one
audit entry; the others are told someone changed the register first, or that everyone
already has a mark."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Nation
from app.release.models import DayKind, ReleaseDay
from app.residentials.models import Attendance, Workshop
from tests.helpers import text
from tests.matrix.residentials import monday_after
from tests.test_concurrency import PARALLEL, _at_once, _signed_in
from tests.test_residentials import details


def _setting(app, make, holders: int):
    from app.accounts.models import User
    from app.cohorts.models import Cohort
    from app.residentials import services

    cohort = make.running_cohort()
    awards = [make.award(cohort=cohort) for _ in range(holders)]
    staff = make.user(Role.STAFF)
    with app.app_context():
        first = monday_after(today() - timedelta(days=60), Nation.ENGLAND_AND_WALES)
        w = services.save_workshop(
            db.session.get(Cohort, cohort.id), db.session.get(User, staff.id), details(first)
        )
        db.session.commit()
        url = f"/residentials/workshops/{w.id}/register/{first.isoformat()}"
    return url, awards, staff


def _counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Attendance.id))),
            db.session.scalar(
                select(func.count(ReleaseDay.id)).where(ReleaseDay.kind == DayKind.RESIDENTIAL)
            ),
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.action == "residentials.register_saved",
                    AuditEntry.object_type == Workshop.__name__,
                )
            ),
        )


def test_twenty_parallel_saves_of_one_mark_make_one(app, make, browser_factory):
    url, (award,), staff = _setting(app, make, 1)
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, url)
    form = {f"mark-{award.id}": "present", f"seen-{award.id}": "", "csrf_token": token}
    responses = _at_once([lambda b=b: b.post(url, data=form) for b in browsers])
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * (PARALLEL - 1) + [302], codes
    for r in responses:
        if r.status_code == 200:
            assert "changed by someone else" in text(r)
    assert _counts(app) == (1, 1, 1)


def test_twenty_parallel_mark_all_present_make_one_change(app, make, browser_factory):
    url, awards, staff = _setting(app, make, 3)
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, url)
    responses = _at_once(
        [lambda b=b: b.post(url + "/all-present", data={"csrf_token": token}) for b in browsers]
    )
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert {r.status_code for r in responses} == {302}
    assert _counts(app) == (3, 3, 1)
