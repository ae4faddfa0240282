"""A community member's own calendar address (issue 19): any member, whatever their
role, subscribes to the meetings and training of their communities. The address is the
research-days feed's mechanism (a secret shown once, only its hash kept); it answers
only while its owner is a member, drops a community they leave, and neither kind of
address opens the other kind of calendar."""

from __future__ import annotations

import re
from datetime import UTC, time, timedelta

from icalendar import Calendar
from sqlalchemy import select

from app.accounts.models import User
from app.communities import meetings, services
from app.communities.models import (
    Background,
    Community,
    CommunityMeeting,
    CommunityMember,
    MeetingKind,
)
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.roles import Role
from app.extensions import db
from app.release import calendar
from tests import communities_helpers as h

ADDRESS = re.compile(r'value="http://localhost(/communities/calendar/[A-Za-z0-9_-]+\.ics)"')


def make_address(b) -> str:
    resp = b.post("/communities/calendar/new", token_from="/communities/calendar")
    assert resp.status_code == 200
    m = ADDRESS.search(resp.get_data(as_text=True))
    assert m, "the new address is shown once on the page"
    return m.group(1)


def training(app, cid, fac_id) -> int:
    with app.test_request_context():
        m = meetings.schedule(
            db.session.get(Community, cid),
            db.session.get(User, fac_id),
            meetings.MeetingData(
                kind=MeetingKind.TRAINING,
                day=(utcnow() + timedelta(days=10)).date(),
                at=time(10, 30),
                minutes=60,
                topic="How to join an online meeting",
                join_link="https://meet.example.org/training",
            ),
        )
        db.session.commit()
        return m.id


def events(resp) -> dict:
    assert resp.status_code == 200
    assert resp.mimetype == "text/calendar"
    return {str(e["uid"]): e for e in Calendar.from_ical(resp.get_data()).walk("VEVENT")}


def leave(app, member_id):
    with app.test_request_context():
        m = db.session.get(CommunityMember, member_id)
        services.leave(m, m.user)
        db.session.commit()


def world(app, make):
    """A carer (no employer, no award) in two communities; a third they are not in."""
    a, b, other = h.community(make, app), h.community(make, app), h.community(make, app)
    fac, _ = h.member(make, app, a, Role.AWARD_HOLDER, facilitator=True)
    bfac, _ = h.member(make, app, b, Role.AWARD_HOLDER, facilitator=True)
    ofac, _ = h.member(make, app, other, Role.AWARD_HOLDER, facilitator=True)
    carer, in_a = h.member(make, app, a, Role.APPLICANT, background=Background.CARER)
    in_b = h.join(app, b, carer.id, background=Background.CARER)
    ids = {
        "a": h.meeting(app, a, fac.id),
        "a_training": training(app, a, fac.id),
        "b": h.meeting(app, b, bfac.id, days=20),
        "other": h.meeting(app, other, ofac.id, days=9),
    }
    return carer, in_a, in_b, ids


def test_a_carer_subscribes_to_their_communities_meetings(app, make, browser_factory):
    carer, _in_a, _in_b, ids = world(app, make)
    b = browser_factory()
    b.sign_in(carer.email)
    page = b.get(f"/communities/{h_community_of(app, ids['a'])}/meetings").get_data(as_text=True)
    assert 'href="/communities/calendar"' in page
    assert "Outlook" in b.get("/communities/calendar").get_data(as_text=True)
    path = make_address(b)

    feed = events(browser_factory().get(path))  # a calendar app: not signed in
    uids = {f"community-meeting-{ids[k]}@localhost" for k in ("a", "a_training", "b")}
    assert set(feed) == uids
    with app.app_context():
        for uid, event in feed.items():
            meeting = db.session.get(CommunityMeeting, int(uid.split("-")[2].split("@")[0]))
            start = event.decoded("dtstart")
            assert start.tzinfo is not None and start.utcoffset() == timedelta(0)
            assert start == meeting.starts_at.replace(tzinfo=UTC)
            assert event.decoded("dtstamp").utcoffset() == timedelta(0)
            assert meeting.join_link in str(event["description"])
    assert "Z" in browser_factory().get(path).get_data(as_text=True).split("DTSTART:")[1][:17]
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "communities.calendar_created" in actions


def h_community_of(app, meeting_id) -> int:
    with app.app_context():
        return db.session.get(CommunityMeeting, meeting_id).community_id


def test_leaving_drops_the_community_and_leaving_all_ends_the_feed(app, make, browser_factory):
    carer, in_a, in_b, ids = world(app, make)
    path = "/communities/calendar/" + h.community_feed(app, carer.id) + ".ics"
    anon = browser_factory()
    leave(app, in_a)
    feed = events(anon.get(path))
    assert set(feed) == {f"community-meeting-{ids['b']}@localhost"}
    leave(app, in_b)
    assert anon.get(path).status_code == 404
    b = browser_factory()
    b.sign_in(carer.email)
    assert b.get("/communities/calendar").status_code == 404


def test_a_non_member_has_no_communities_calendar(app, make, browser_factory):
    cid = h.community(make, app)
    asking, _ = h.member(make, app, cid, Role.APPLICANT, approve=False)
    b = browser_factory()
    b.sign_in(asking.email)
    assert b.get("/communities/calendar").status_code == 404
    resp = b.post("/communities/calendar/new", data={})
    assert resp.status_code == 404
    with app.test_request_context():
        assert not calendar.can_have_feed(db.session.get(User, asking.id), calendar.COMMUNITIES)


def test_a_new_address_replaces_the_old_and_turning_off_ends_it(app, make, browser_factory):
    carer, _a, _b, _ids = world(app, make)
    b = browser_factory()
    b.sign_in(carer.email)
    first = make_address(b)
    second = make_address(b)
    anon = browser_factory()
    assert anon.get(first).status_code == 404
    assert anon.get(second).status_code == 200
    resp = b.post("/communities/calendar/revoke", token_from="/communities/calendar")
    assert resp.status_code == 302
    assert anon.get(second).status_code == 404
    assert "You have not made a calendar address" in b.get("/communities/calendar").get_data(
        as_text=True
    )


def test_each_kind_of_address_opens_only_its_own_calendar(app, make, browser_factory):
    cid = h.community(make, app)
    holder, _ = h.member(make, app, cid, Role.AWARD_HOLDER, facilitator=True)
    h.meeting(app, cid, holder.id)
    community_secret = h.community_feed(app, holder.id)
    with app.test_request_context():
        release_secret = calendar.create_feed(db.session.get(User, holder.id), calendar.SELF)
        db.session.commit()
    anon = browser_factory()
    assert anon.get(f"/release/calendar/{community_secret}.ics").status_code == 404
    assert anon.get(f"/communities/calendar/{release_secret}.ics").status_code == 404
    assert anon.get(f"/communities/calendar/{community_secret}.ics").status_code == 200
    assert anon.get(f"/release/calendar/{release_secret}.ics").status_code == 200
    b = browser_factory()
    b.sign_in(holder.email)
    # an award holder is told their research-days calendar already has these meetings
    assert "research days calendar" in b.get("/communities/calendar").get_data(as_text=True)
