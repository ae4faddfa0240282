"""Data protection under 20 parallel requests (both databases; TEST_DATABASE_URL for
PostgreSQL): a person erased by twenty clicks at once is erased once (one erasure
record, one audit entry), and twenty saves of the first retention period give no error
page.

Breaking the rule (no check of the erasure record under the lock) fails the first test on
PostgreSQL (15 of 20 erased again); on SQLite a POST's transaction takes the write lock
at BEGIN, so the requests run one after another and the second no longer matches the
confirmation (the address has changed) whatever the service does."""

from __future__ import annotations

from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.core.roles import Role
from app.extensions import db
from app.privacy.models import Erasure, PrivacySetting
from tests.test_concurrency import PARALLEL, _at_once, _signed_in


def test_twenty_parallel_erasures_erase_once(app, make, browser_factory):
    person = make.user(name="Alex Parallel", email="alex.parallel@example.test")
    staff = make.user(Role.STAFF)
    url = f"/privacy/people/{person.id}/erase"
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, url)
    data = {"csrf_token": token, "confirm": person.email}
    responses = _at_once([lambda b=b: b.post(url, data=data) for b in browsers])
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    codes = sorted(r.status_code for r in responses)
    assert codes.count(200) == 1 and set(codes) <= {200, 400, 404}, codes
    with app.app_context():
        assert db.session.scalar(select(func.count(Erasure.id))) == 1
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "privacy.erased")
            )
            == 1
        )


def test_twenty_parallel_saves_of_the_period_give_no_error_page(app, make, browser_factory):
    staff = make.user(Role.STAFF)
    url = "/privacy/requests"
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, url)
    responses = _at_once(
        [
            lambda b=b, n=n: b.post("/privacy/settings", data={"csrf_token": token, "days": 60 + n})
            for n, b in enumerate(browsers)
        ]
    )
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert {r.status_code for r in responses} <= {302, 400}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PrivacySetting)) == 1
