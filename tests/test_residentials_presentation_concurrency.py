"""Presentation day and QR check-in under 20 parallel requests (both databases): one reply
per link, each person invited once, one publication, one check-in; the others are told
why nothing of theirs was done."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.core.audit import AuditEntry
from app.extensions import db
from app.residentials import tokens
from app.residentials.models import Attendance, Invitation, PresentationDay, Reply
from tests.helpers import last_email, link_in, text
from tests.test_concurrency import PARALLEL, _at_once, _signed_in
from tests.test_residentials_presentation import day_world  # noqa: F401  (fixture)


def _audits(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == action)
        )


def _ok(responses) -> list:
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    return responses


def test_twenty_parallel_sends_invite_each_person_once(app, browser_factory, day_world):  # noqa: F811
    cohort_id, _day, _awards, staff, _sup = day_world
    page = f"/residentials/cohorts/{cohort_id}/presentation-day"
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, page)
    _ok(
        _at_once(
            [lambda b=b: b.post(page + "/invite", data={"csrf_token": token}) for b in browsers]
        )
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 5
    assert _audits(app, "residentials.invitations_sent") == 1


def test_twenty_parallel_replies_through_one_link_make_one(app, make, browser_factory, day_world):  # noqa: F811
    cohort_id, _day, _awards, staff, supervisor = day_world
    b = browser_factory()
    b.sign_in(staff.email)
    page = f"/residentials/cohorts/{cohort_id}/presentation-day"
    b.post(page + "/invite", token_from=page)
    link = link_in(last_email(app, make.reload(User, supervisor.id).email).body, "/presentation/")
    first = browser_factory()
    token = first.token(link)
    cookie = first.client.get_cookie("prp_session").value
    others = [browser_factory() for _ in range(PARALLEL - 1)]
    for o in others:
        o.client.set_cookie("prp_session", cookie)
    form = {"reply": "attending", "csrf_token": token}
    responses = _ok(
        _at_once([lambda o=o: o.client.post(link, data=form) for o in [first, *others]])
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [302] + [400] * (PARALLEL - 1), codes
    assert all("already been used" in text(r) for r in responses if r.status_code == 400)
    with app.app_context():
        inv = db.session.scalar(select(Invitation).where(Invitation.invitee_id == supervisor.id))
        assert (inv.reply, inv.reply_count) == (Reply.ATTENDING, 1)
    assert _audits(app, "residentials.invitation_replied") == 1


def test_twenty_parallel_publishes_make_one(app, browser_factory, day_world):  # noqa: F811
    cohort_id, _day, _awards, staff, _sup = day_world
    page = f"/residentials/cohorts/{cohort_id}/presentation-day"
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, page)
    browsers[0].post(page + "/running-order", data={"csrf_token": token})
    _ok(
        _at_once(
            [lambda b=b: b.post(page + "/publish", data={"csrf_token": token}) for b in browsers]
        )
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(PresentationDay.id))) == 1
    assert _audits(app, "residentials.programme_published") == 1


def test_twenty_parallel_check_ins_make_one(app, make, browser_factory, monkeypatch):
    from tests.test_residentials import _workshop_with_holders, residential_rows

    workshop_id, day, (a, _b), staff = _workshop_with_holders(app, make)
    monkeypatch.setitem(app.config, "FROZEN_TODAY", day)
    with app.test_request_context():
        url = "/residentials/check-in/" + tokens.check_in_token(workshop_id, day, staff.id)
    holder = make.reload(User, a.holder_id)
    browsers, token = _signed_in(browser_factory, holder.email, PARALLEL, url)
    responses = _ok(
        _at_once([lambda b=b: b.post(url, data={"csrf_token": token}) for b in browsers])
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [302] + [400] * (PARALLEL - 1), codes
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 1
        assert len(residential_rows(a.id)) == 1
    assert _audits(app, "residentials.checked_in") == 1
