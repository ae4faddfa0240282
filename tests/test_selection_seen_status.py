"""A decision is made on the status the deciding person was shown: if another member of
staff moved the application on while they read the confirmation page, nothing changes
and they are told what happened (compare-and-set on the status seen)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.applications.models import AppStatus
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from tests.helpers import text
from tests.test_selection import apply, status_of


def _confirmation(browser, a, outcome: str) -> str:
    url = f"/selection/applications/{a.id}"
    resp = browser.post(f"{url}/decision", {"outcome": outcome, "message": ""}, token_from=url)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _confirm(browser, a, page: str):
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields["confirmed"] = "yes"
    return browser.client.post(f"/selection/applications/{a.id}/decision", data=fields)


def test_a_decision_on_a_status_that_changed_meanwhile_is_refused(make, app, browser_factory):
    staff, other = make.user(Role.STAFF), make.user(Role.STAFF, name="Kim Other")
    a = apply(make, make.cohort(), "Shona", status="shortlisted")
    me, them = browser_factory(), browser_factory()
    me.sign_in(staff.email)
    them.sign_in(other.email)
    page = _confirmation(me, a, "awarded")
    assert 'name="seen" value="shortlisted"' in page
    # Kim puts Shona on the waiting list while I read the confirmation page
    url = f"/selection/applications/{a.id}"
    data = {"outcome": "waitlisted", "message": "", "confirmed": "yes"}
    assert them.post(f"{url}/decision", data, token_from=url).status_code == 302
    with app.app_context():
        emails = db.session.scalar(select(func.count(OutboxMessage.id)))
    resp = _confirm(me, a, page)
    assert resp.status_code == 200
    assert "Kim Other" in text(resp)
    assert status_of(app, a.id) == AppStatus.WAITLISTED
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == emails


def test_the_decision_goes_through_when_the_status_is_as_seen(make, app, browser_factory):
    staff = make.user(Role.STAFF)
    a = apply(make, make.cohort(), "Shona", status="shortlisted")
    me = browser_factory()
    me.sign_in(staff.email)
    resp = _confirm(me, a, _confirmation(me, a, "awarded"))
    assert resp.status_code == 302
    assert status_of(app, a.id) == AppStatus.AWARDED
