"""Communities under 20 parallel requests (both databases; run with TEST_DATABASE_URL for
PostgreSQL): one member voting twenty times at once for a topic counts once; twenty
members offering to help at once make two volunteers; a payment recorded by twenty
requests at once is recorded once; twenty facilitators' hides of one post hide it once."""

from __future__ import annotations

from sqlalchemy import func, select

from app.communities.models import Post, PriorityVote, SupportVolunteer
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.extensions import db
from tests import communities_helpers as h
from tests.test_concurrency import PARALLEL, _at_once, _signed_in


def _count(app, stmt):
    with app.app_context():
        return db.session.scalar(stmt)


def _open_round(app, cid, member_id):
    from app.communities import priorities
    from app.communities.models import CommunityMember

    with app.test_request_context():
        m = db.session.get(CommunityMember, member_id)
        r = priorities.open_round(m.community, m.user, "2027")
        t = priorities.propose(r, m, "Complex needs", "")
        db.session.commit()
        return r.id, t.id


def test_twenty_parallel_votes_by_one_member_count_once(app, make, browser_factory):
    cid = h.community(make, app)
    user, mid = h.member(make, app, cid)
    rid, tid = _open_round(app, cid, mid)
    browsers, token = _signed_in(
        browser_factory, user.email, PARALLEL, f"/communities/rounds/{rid}"
    )
    url = f"/communities/topics/{tid}/vote"
    responses = _at_once([lambda b=b: b.post(url, data={"csrf_token": token}) for b in browsers])
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [302] + [400] * (PARALLEL - 1)
    assert _count(app, select(func.count(PriorityVote.id)).where(PriorityVote.topic_id == tid)) == 1
    assert (
        _count(
            app, select(func.count(AuditEntry.id)).where(AuditEntry.action == "communities.voted")
        )
        == 1
    )


def test_twenty_parallel_offers_make_two_volunteers(app, make, browser_factory):
    cid = h.community(make, app)
    _asker, asker_mid = h.member(make, app, cid)
    rid, _ = h.support_request(app, asker_mid)
    calls = []
    for _ in range(PARALLEL):
        user, _m = h.member(make, app, cid)
        b = browser_factory()
        b.sign_in(user.email)
        token = b.token(f"/communities/support/{rid}")
        calls.append(
            lambda b=b, token=token: b.post(
                f"/communities/support/{rid}/volunteer", data={"csrf_token": token}
            )
        )
    responses = _at_once(calls)
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert (
        _count(
            app, select(func.count(SupportVolunteer.id)).where(SupportVolunteer.request_id == rid)
        )
        == 2
    )


def test_twenty_parallel_payments_record_one(app, make, browser_factory):
    cid = h.community(make, app)
    _a, asker_mid = h.member(make, app, cid)
    _v, v_mid = h.member(make, app, cid)
    _rid, vid = h.support_request(app, asker_mid, v_mid)
    staff = make.user(Role.STAFF)
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, "/communities/report")
    url = f"/communities/support/volunteers/{vid}/payment"
    responses = _at_once(
        [
            lambda b=b, n=n: b.post(url, data={"csrf_token": token, "amount": f"{20 + n}.00"})
            for n, b in enumerate(browsers)
        ]
    )
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    with app.app_context():
        v = db.session.get(SupportVolunteer, vid)
        assert v.payment_pence is not None and v.payment_pence % 100 == 0
    assert (
        _count(
            app,
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "communities.payment_recorded"
            ),
        )
        == 1
    )


def test_twenty_parallel_hides_hide_once(app, make, browser_factory):
    cid = h.community(make, app)
    fac, _ = h.member(make, app, cid, Role.AWARD_HOLDER, facilitator=True)
    _p, poster_mid = h.member(make, app, cid)
    pid = h.post(app, cid, poster_mid)
    page = f"/communities/{cid}/posts/{pid}"
    browsers, token = _signed_in(browser_factory, fac.email, PARALLEL, page)
    responses = _at_once(
        [
            lambda b=b: b.post(page + "/hide", data={"csrf_token": token, "reason": "Rule 1"})
            for b in browsers
        ]
    )
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    with app.app_context():
        assert db.session.get(Post, pid).hidden_at is not None
    assert (
        _count(
            app,
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "communities.post_hidden"),
        )
        == 1
    )
