"""Communities of practice (issue 19): joining with and without an employer (accepting a
version of the ground rules, a facilitator approving), what members choose to show,
leaving, members-only pages, the workspace's plain text and safe links, hidden posts,
meetings in London time with accessibility requests and attendance, priority votes
once per topic, involvement support and payments, and the staff report."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.communities import meetings, policy, priorities, services, support
from app.communities.models import (
    Background,
    Community,
    CommunityMeeting,
    CommunityMember,
    MeetingBooking,
    MemberStatus,
    Post,
    PriorityVote,
    SupportVolunteer,
)
from app.communities.services import Changed, CommunityError
from app.communities.text import linkify
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from tests import communities_helpers as h
from tests.helpers import last_email, link_in, text

JOIN = {
    "background": "carer",
    "role_text": "Carer for my son",
    "organisation_text": "",
    "show": ["name", "role"],
    "digest": "y",
}


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _fac(make, app, cid):
    user, mid = h.member(make, app, cid, Role.AWARD_HOLDER, facilitator=True)
    return user, mid


# --- joining ------------------------------------------------------------------------------


def test_a_carer_with_no_employer_registers_asks_to_join_and_is_approved(
    app, make, browser, browser_factory
):
    cid = h.community(make, app)
    fac, _ = _fac(make, app, cid)
    # the same registration as everyone: name, email and password; no organisation asked
    page = browser.get("/account/register").get_data(as_text=True)
    assert "do not need an employer" in page
    assert not re.findall(r'name="[^"]*(?:organisation|employer)', page)
    pw = "violet-harbour-trumpet-9431"
    browser.post(
        "/account/register",
        {"name": "Jo Carer", "email": "jo@example.test", "password": pw, "confirm": pw},
    )
    link = link_in(last_email(app, "jo@example.test").body, "/account/confirm/")
    browser.post(link)
    browser.sign_in("jo@example.test", pw)
    url = f"/communities/{cid}/join"
    assert "Ask to join" in text(browser.get(url))
    # without accepting the ground rules: refused, nothing recorded
    resp = browser.post(url, {**JOIN, "rules_version": "1"})
    assert resp.status_code == 400
    assert "Confirm that you accept the ground rules" in text(resp)
    assert _count(app, CommunityMember, CommunityMember.community_id == cid) == 1
    resp = browser.post(url, {**JOIN, "rules_version": "1", "accept": "y"})
    assert resp.status_code == 302
    with app.app_context():
        jo = db.session.scalar(select(User).where(User.email == "jo@example.test"))
        assert jo.memberships == []  # no employer
        m = policy.membership(jo, cid)
        assert (m.status, m.rules_version, m.background) == (
            MemberStatus.REQUESTED,
            1,
            Background.CARER,
        )
        assert m.rules_accepted_at is not None
        mid = m.id
    # not a member yet: the workspace is a 404
    assert browser.get(f"/communities/{cid}/workspace").status_code == 404
    fb = browser_factory()
    fb.sign_in(fac.email)
    assert "Jo Carer" in text(fb.get(f"/communities/{cid}/members"))
    resp = fb.post(
        f"/communities/{cid}/members/{mid}/approve", token_from=f"/communities/{cid}/members"
    )
    assert resp.status_code == 302
    assert "Welcome to" in last_email(app, "jo@example.test").body
    assert browser.get(f"/communities/{cid}/workspace").status_code == 200
    # approving again: one change, the second told
    with app.test_request_context(), pytest.raises(Changed):
        services.decide(db.session.get(CommunityMember, mid), jo, True)
    assert _count(app, AuditEntry, AuditEntry.action == "communities.member_approved") == 2


def test_a_member_with_an_employer_joins_and_shows_their_organisation(app, make):
    cid = h.community(make, app)
    org = make.org("Kent County Council")
    user, mid = h.member(
        make,
        app,
        cid,
        Role.AWARD_HOLDER,
        orgs=[org],
        role_text="Social worker",
        organisation_text="Kent County Council",
        show_organisation=True,
    )
    with app.app_context():
        m = db.session.get(CommunityMember, mid)
        assert m.status == MemberStatus.MEMBER and m.organisation_text == "Kent County Council"


def test_joining_records_the_rules_version_and_refuses_a_stale_one(app, make):
    cid = h.community(make, app)
    staff = make.user(Role.STAFF)
    person = make.user()
    with app.test_request_context():
        c = db.session.get(Community, cid)
        services.new_rules(c, db.session.get(User, staff.id), "Version two of the rules")
        db.session.commit()
        with pytest.raises(CommunityError, match="changed while you were reading"):
            services.ask_to_join(
                c, db.session.get(User, person.id), services.Profile(Background.CARER), True, 1
            )
        db.session.rollback()
        m = services.ask_to_join(
            c, db.session.get(User, person.id), services.Profile(Background.CARER), True, 2
        )
        db.session.commit()
        assert m.rules_version == 2


def test_members_choose_what_others_see(app, make, browser_factory):
    cid = h.community(make, app)
    hidden, _ = h.member(
        make,
        app,
        cid,
        name="Private Person",
        role_text="Researcher",
        organisation_text="University of Kent",
        show_name=False,
        show_role=True,
        show_organisation=False,
    )
    other, _ = h.member(make, app, cid, name="Open Person")
    b = browser_factory()
    b.sign_in(other.email)
    page = text(b.get(f"/communities/{cid}/members"))
    assert "Private Person" not in page
    assert "A member, Researcher" in page
    assert "University of Kent" not in page
    assert "Open Person" in page


def test_non_members_get_404_and_never_see_the_joining_link(app, make, browser_factory):
    cid = h.community(make, app)
    fac, fac_mid = _fac(make, app, cid)
    mid = h.meeting(app, cid, fac.id)
    pid = h.post(app, cid, fac_mid, body="Members only words")
    outsider = make.user(Role.STAFF)
    b = browser_factory()
    b.sign_in(outsider.email)
    front = text(b.get(f"/communities/{cid}"))
    assert "meet.example.org" not in front and "Ask to join" in front
    for url in (
        f"/communities/{cid}/workspace",
        f"/communities/{cid}/posts/{pid}",
        f"/communities/{cid}/meetings",
        f"/communities/meetings/{mid}",
        f"/communities/meetings/{mid}/calendar.ics",
        f"/communities/{cid}/members",
    ):
        resp = b.get(url)
        assert resp.status_code == 404, url
        assert b"meet.example.org" not in resp.data
    fb = browser_factory()
    fb.sign_in(fac.email)
    page = fb.get(f"/communities/meetings/{mid}").data.decode()
    assert 'href="https://meet.example.org/complex-needs" rel="nofollow noopener"' in page
    ics = fb.get(f"/communities/meetings/{mid}/calendar.ics")
    assert ics.mimetype == "text/calendar" and b"meet.example.org" in ics.data


def test_leaving_at_any_time_and_asking_again(app, make, browser_factory):
    cid = h.community(make, app)
    user, mid = h.member(make, app, cid)
    b = browser_factory()
    b.sign_in(user.email)
    resp = b.post(f"/communities/{cid}/leave", token_from=f"/communities/{cid}")
    assert resp.status_code == 302
    assert b.get(f"/communities/{cid}/workspace").status_code == 404
    with app.app_context():
        assert db.session.get(CommunityMember, mid).status == MemberStatus.LEFT
    resp = b.post(
        f"/communities/{cid}/join",
        {**JOIN, "rules_version": "1", "accept": "y"},
        token_from=f"/communities/{cid}/join",
    )
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(CommunityMember, mid).status == MemberStatus.REQUESTED


# --- workspace ----------------------------------------------------------------------------


def test_text_is_escaped_and_only_http_links_become_links():
    out = str(
        linkify(
            "See https://example.org/a?b=1&c=2. <script>alert(1)</script>\n"
            '<img src="https://evil.example/x.png"> javascript:alert(1)'
        )
    )
    assert "<script>" not in out and "<img" not in out
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener">' in out
    assert "</a>." in out  # the full stop is not part of the link
    assert 'href="javascript' not in out
    assert "<br>" in out
    # the image address inside the escaped tag stops at the quote
    assert '<a href="https://evil.example/x.png" rel="nofollow noopener">' in out
    assert "&lt;img src=&#34;" in out or "&lt;img src=&quot;" in out


def test_posting_script_shows_it_as_text(app, make, browser_factory):
    cid = h.community(make, app)
    user, _ = h.member(make, app, cid)
    b = browser_factory()
    b.sign_in(user.email)
    url = f"/communities/{cid}/workspace"
    resp = b.post(
        url,
        {
            "kind": "resource",
            "title": "<b>Bold</b>",
            "body": "<script>alert('x')</script> https://example.org/report",
        },
    )
    assert resp.status_code == 302
    page = b.get(resp.headers["Location"]).data.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<b>Bold</b>" not in page
    assert '<a href="https://example.org/report" rel="nofollow noopener">' in page


def test_a_file_is_checked_by_content(app, make, browser_factory):
    from io import BytesIO

    cid = h.community(make, app)
    user, _ = h.member(make, app, cid)
    b = browser_factory()
    b.sign_in(user.email)
    url = f"/communities/{cid}/workspace"
    resp = b.post(
        url,
        {
            "kind": "resource",
            "title": "A paper",
            "body": "Read this",
            "upload": (BytesIO(b"<html><script></script></html>"), "paper.pdf"),
        },
    )
    assert resp.status_code == 400
    assert _count(app, Post, Post.community_id == cid) == 0
    resp = b.post(
        url,
        {
            "kind": "resource",
            "title": "A paper",
            "body": "Read this",
            "upload": (BytesIO(h.PDF), "paper.pdf"),
        },
        token_from=url,
    )
    assert resp.status_code == 302
    with app.app_context():
        pid = db.session.scalar(select(Post.id).where(Post.community_id == cid))
    assert b.get(f"/communities/{cid}/posts/{pid}/file").data == h.PDF


def test_a_facilitator_hides_a_post_with_a_reason_in_the_audit_log(app, make, browser_factory):
    cid = h.community(make, app)
    fac, _ = _fac(make, app, cid)
    poster, poster_mid = h.member(make, app, cid)
    pid = h.post(app, cid, poster_mid, body="Something rude")
    url = f"/communities/{cid}/posts/{pid}"
    # a member who is not a facilitator cannot hide it
    pb = browser_factory()
    pb.sign_in(poster.email)
    assert pb.post(url + "/hide", {"reason": "x"}, token_from=url).status_code == 404
    fb = browser_factory()
    fb.sign_in(fac.email)
    # without a reason: nothing hidden
    fb.post(url + "/hide", {"reason": ""}, token_from=url)
    with app.app_context():
        assert db.session.get(Post, pid).hidden_at is None
    fb.post(url + "/hide", {"reason": "Breaks rule 1: be kind"}, token_from=url)
    with app.app_context():
        p = db.session.get(Post, pid)
        assert p.hidden_reason == "Breaks rule 1: be kind"
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "communities.post_hidden")
        )
        assert entry.changes["reason"] == [None, "Breaks rule 1: be kind"]
        assert entry.actor_id == fac.id
        with pytest.raises(Changed):
            services.hide_post(p, db.session.get(User, fac.id), "again")
    page = text(pb.get(url))
    assert "Something rude" not in page and "hid this post" in page


# --- meetings -----------------------------------------------------------------------------


def test_meeting_times_are_stored_utc_and_shown_in_london(app, make, browser_factory):
    cid = h.community(make, app)
    fac, _ = _fac(make, app, cid)
    with app.test_request_context():
        m = meetings.schedule(
            db.session.get(Community, cid),
            db.session.get(User, fac.id),
            meetings.MeetingData(
                kind=meetings.MeetingKind.MEETING,
                day=date(2027, 7, 14),
                at=time(14, 0),
                minutes=90,
                topic="Summer session",
            ),
        )
        db.session.commit()
        assert m.starts_at == datetime(2027, 7, 14, 13, 0)  # BST is UTC+1
        mid = m.id
    fb = browser_factory()
    fb.sign_in(fac.email)
    assert "14 July 2027 at 2:00pm" in text(fb.get(f"/communities/meetings/{mid}"))


def test_schedule_a_meeting_through_the_form(app, make, browser_factory):
    cid = h.community(make, app)
    fac, _ = _fac(make, app, cid)
    fb = browser_factory()
    fb.sign_in(fac.email)
    url = f"/communities/{cid}/meetings/new"
    form = {
        "kind": "training",
        "day-day": "3",
        "day-month": "2",
        "day-year": "2027",
        "at": "10:30",
        "minutes": "60",
        "topic": "How to join an online meeting",
        "speaker_name": "",
        "join_link": "javascript:alert(1)",
    }
    resp = fb.post(url, form)
    assert resp.status_code == 400 and "starting https://" in text(resp)
    good = {**form, "join_link": "https://meet.example.org/t"}
    resp = fb.post(url, {**good, "speaker_email": "nobody@example.test"}, token_from=url)
    assert resp.status_code == 400 and "no account with this email" in text(resp)
    resp = fb.post(url, {**good, "speaker_email": fac.email.upper()}, token_from=url)
    assert resp.status_code == 302
    with app.app_context():
        m = db.session.scalar(select(CommunityMeeting).where(CommunityMeeting.community_id == cid))
        assert m.kind.value == "training" and m.starts_at == datetime(2027, 2, 3, 10, 30)
        assert m.speaker_user_id == fac.id


def test_booking_with_accessibility_requests_and_attendance(app, make, browser_factory):
    cid = h.community(make, app)
    fac, _ = _fac(make, app, cid)
    user, member_id = h.member(make, app, cid, background=Background.LIVED_EXPERIENCE)
    mid = h.meeting(app, cid, fac.id)
    b = browser_factory()
    b.sign_in(user.email)
    url = f"/communities/meetings/{mid}"
    resp = b.post(url, {"needs": ["captions", "support_visit"], "access_note": "Large print"})
    assert resp.status_code == 302
    fb = browser_factory()
    fb.sign_in(fac.email)
    page = text(fb.get(url))
    assert "Live captions" in page and "set up for online meetings" in page
    # attendance only once it has started
    with app.test_request_context():
        meeting = db.session.get(CommunityMeeting, mid)
        with pytest.raises(CommunityError):
            meetings.record_attendance(meeting, db.session.get(User, fac.id), set())
        meeting.starts_at = datetime(2020, 1, 1, 13)
        db.session.commit()
        booking = db.session.scalar(select(MeetingBooking).where(MeetingBooking.meeting_id == mid))
        assert booking.needs[0] == "Live captions"
        bid = booking.id
    resp = fb.post(url + "/attendance", {"attended": [str(bid)]}, token_from=url)
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(MeetingBooking, bid).attended is True
    # a booking after the start is refused
    with app.test_request_context(), pytest.raises(CommunityError, match="already started"):
        meetings.book(
            db.session.get(CommunityMeeting, mid),
            db.session.get(CommunityMember, member_id),
            set(),
        )
    fb.post(url + "/notes", {"notes": "We talked about https://example.org"}, token_from=url)
    fb.post(
        url + "/actions",
        {
            "text": "Share the slides",
            "owner": "Sam",
            "due_on-day": "1",
            "due_on-month": "3",
            "due_on-year": "2027",
        },
        token_from=url,
    )
    page = b.get(url).data.decode()
    assert "Share the slides" in page and 'href="https://example.org"' in page


# --- priorities ---------------------------------------------------------------------------


def test_one_vote_per_topic_per_member_and_ranked_results(app, make, browser_factory):
    cid = h.community(make, app)
    fac, fac_mid = _fac(make, app, cid)
    a, a_mid = h.member(make, app, cid)
    with app.test_request_context():
        c = db.session.get(Community, cid)
        fm = db.session.get(CommunityMember, fac_mid)
        am = db.session.get(CommunityMember, a_mid)
        r = priorities.open_round(c, fm.user, "2027")
        t1 = priorities.propose(r, am, "Complex needs", "")
        t2 = priorities.propose(r, am, "Workforce", "")
        with pytest.raises(CommunityError, match="already been proposed"):
            priorities.propose(r, am, "Workforce", "")
        priorities.vote(t2, am)
        priorities.vote(t2, fm)
        priorities.vote(t1, am)
        db.session.commit()
        rid, t1id, t2id = r.id, t1.id, t2.id
    b = browser_factory()
    b.sign_in(a.email)
    url = f"/communities/rounds/{rid}"
    resp = b.post(f"/communities/topics/{t1id}/vote", token_from=url)
    assert resp.status_code == 400
    assert _count(app, PriorityVote, PriorityVote.topic_id == t1id) == 1
    with app.app_context():
        r = db.session.get(priorities.PriorityRound, rid)
        assert [(t.title, n) for t, n in priorities.results(r)] == [
            ("Workforce", 2),
            ("Complex needs", 1),
        ]
    fb = browser_factory()
    fb.sign_in(fac.email)
    fb.post(f"/communities/rounds/{rid}/close", token_from=url)
    assert b.post(f"/communities/topics/{t2id}/vote", token_from=url).status_code == 400
    staff = make.user(Role.STAFF)
    sb = browser_factory()
    sb.sign_in(staff.email)
    assert "Workforce" in text(sb.get("/communities/report"))
    start = f"/communities/topics/{t2id}/start"
    resp = sb.post(start, {"name": "Workforce", "description": "The workforce", "rules": "Be kind"})
    assert resp.status_code == 302
    resp = sb.post(
        start, {"name": "Workforce 2", "description": "d", "rules": "r"}, token_from=start
    )
    assert resp.status_code == 400 and "already started" in text(resp)
    assert _count(app, Community, Community.name.like("Workforce%")) == 1


# --- support and payments -----------------------------------------------------------------


def test_support_requests_volunteers_time_and_payments(app, make, browser_factory):
    cid = h.community(make, app)
    asker, asker_mid = h.member(make, app, cid, background=Background.RESEARCH)
    v1, v1_mid = h.member(make, app, cid, background=Background.CARER)
    v2, v2_mid = h.member(make, app, cid, background=Background.LIVED_EXPERIENCE)
    v3, v3_mid = h.member(make, app, cid)
    rid, _ = h.support_request(app, asker_mid)
    today = date.today()
    with app.test_request_context():
        req = db.session.get(support.SupportRequest, rid)
        with pytest.raises(CommunityError, match="own request"):
            support.volunteer(req, db.session.get(CommunityMember, asker_mid), today)
        a = support.volunteer(req, db.session.get(CommunityMember, v1_mid), today)
        support.volunteer(req, db.session.get(CommunityMember, v2_mid), today)
        with pytest.raises(Changed, match="two volunteers"):
            support.volunteer(req, db.session.get(CommunityMember, v3_mid), today)
        with pytest.raises(CommunityError, match="deadline"):
            support.ask(
                req.community, req.requester, req.kind, "t", "d", today - timedelta(days=1), today
            )
        db.session.commit()
        vid = a.id
    b = browser_factory()
    b.sign_in(v1.email)
    url = f"/communities/support/{rid}"
    b.post(f"/communities/support/volunteers/{vid}/time", {"minutes": "90"}, token_from=url)
    b.post(f"/communities/support/volunteers/{vid}/time", {"minutes": "601"}, token_from=url)
    with app.app_context():
        assert db.session.get(SupportVolunteer, vid).minutes == 90
    staff = make.user(Role.STAFF)
    sb = browser_factory()
    sb.sign_in(staff.email)
    pay = f"/communities/support/volunteers/{vid}/payment"
    sb.post(pay, {"amount": "abc"}, token_from="/communities/report")
    sb.post(pay, {"amount": "25.50"}, token_from="/communities/report")
    resp = sb.post(pay, {"amount": "30"}, token_from="/communities/report")
    assert "already recorded" in text(sb.get(resp.headers["Location"]))
    with app.app_context():
        v = db.session.get(SupportVolunteer, vid)
        assert v.payment_pence == 2550 and v.paid_at is None
    sb.post(f"/communities/support/volunteers/{vid}/paid", token_from="/communities/report")
    with app.app_context():
        assert db.session.get(SupportVolunteer, vid).paid_at is not None
    page = text(sb.get("/communities/report"))
    assert "£25.50" in page
    assert _count(app, AuditEntry, AuditEntry.action == "communities.payment_recorded") == 1


def test_an_unfunded_request_has_no_payment(app, make):
    cid = h.community(make, app)
    _a, asker_mid = h.member(make, app, cid)
    _v, v_mid = h.member(make, app, cid)
    staff = make.user(Role.STAFF)
    _rid, vid = h.support_request(app, asker_mid, v_mid, funded=False)
    with app.test_request_context(), pytest.raises(CommunityError, match="not funded"):
        support.record_payment(
            db.session.get(SupportVolunteer, vid), db.session.get(User, staff.id), 1000
        )


# --- the staff report ---------------------------------------------------------------------


def test_report_counts_and_a_safe_csv(app, make, browser_factory):
    cid = h.community(make, app, "=HYPERLINK(1)")
    fac, fac_mid = _fac(make, app, cid)
    h.member(make, app, cid, background=Background.CARER)
    h.member(make, app, cid, background=Background.CARER)
    h.post(app, cid, fac_mid)
    staff = make.user(Role.STAFF)
    sb = browser_factory()
    sb.sign_in(staff.email)
    rows = list(csv.reader(io.StringIO(sb.get("/communities/report.csv").data.decode())))
    assert ["Members by background", "'=HYPERLINK(1)", "Unpaid carer", "2"] in rows
    assert ["Members by background", "'=HYPERLINK(1)", "Practice", "1"] in rows
    month = date.today().strftime("%Y-%m")
    assert ["Posts per month", "'=HYPERLINK(1)", month, "1"] in rows


def test_decision_email_is_queued_in_the_same_transaction(app, make):
    cid = h.community(make, app)
    user, _ = h.member(make, app, cid)
    assert _count(app, OutboxMessage, OutboxMessage.to_address == user.email) == 1


# --- the weekly digest --------------------------------------------------------------------


def test_weekly_digest_once_without_own_or_hidden_posts_and_opt_out(app, make):
    from app.communities import digest

    cid = h.community(make, app)
    fac, fac_mid = _fac(make, app, cid)
    reader, _ = h.member(make, app, cid)
    quiet, _ = h.member(make, app, cid, digest=False)
    h.post(app, cid, fac_mid, body="New this week")
    hidden = h.post(app, cid, fac_mid, body="Hidden")
    with app.test_request_context():
        services.hide_post(db.session.get(Post, hidden), db.session.get(User, fac.id), "Rule 1")
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["communities", "send-digests"])
    assert "1 workspace digest queued" in result.output  # the reader; not the author
    assert _count(app, OutboxMessage, OutboxMessage.template == digest.TEMPLATE) == 1
    msg = last_email(app, reader.email)
    assert msg.body.count("A title") == 1  # the hidden one is left out
    assert f"/communities/{cid}/me" in msg.body
    assert (
        _count(
            app,
            OutboxMessage,
            OutboxMessage.to_address == quiet.email,
            OutboxMessage.template == digest.TEMPLATE,
        )
        == 0
    )
    # run again the same week: nothing twice
    assert (
        "0 workspace digests queued" in runner.invoke(args=["communities", "send-digests"]).output
    )
    # a week with no posts sends nothing
    with app.app_context():
        assert digest.send_digests(utcnow() + timedelta(days=30)) == 0


def test_the_scheduler_sends_the_workspace_digest_weekly(app, make):
    from app.scheduler import build_scheduler, send_community_digests

    job = build_scheduler(app).get_job("send-community-digests")
    assert "mon" in str(job.trigger) and "hour='7'" in str(job.trigger)
    cid = h.community(make, app)
    _a, author = h.member(make, app, cid)
    h.member(make, app, cid)
    h.post(app, cid, author)
    assert send_community_digests(app) == 1
    assert send_community_digests(app) == 0


def test_members_meetings_are_in_their_calendar_feed(app, make, browser):
    from app.release import calendar

    cid = h.community(make, app)
    other = h.community(make, app)
    fac, _ = _fac(make, app, cid)
    holder, _ = h.member(make, app, cid, Role.AWARD_HOLDER)
    h.meeting(app, cid, fac.id)
    ofac, _ = _fac(make, app, other)
    h.meeting(app, other, ofac.id, days=9)
    with app.test_request_context():
        secret = calendar.create_feed(db.session.get(User, holder.id), calendar.SELF)
        db.session.commit()
    body = browser.get(f"/release/calendar/{secret}.ics").get_data(as_text=True)
    assert body.count("BEGIN:VEVENT") == 1
    assert "community-meeting-" in body and "meet.example.org/complex-needs" in body


def test_the_workspace_filters_by_kind_and_pages(app, make, browser_factory):
    from app.communities.workspace_views import PER_PAGE

    cid = h.community(make, app)
    user, mid = h.member(make, app, cid)
    for _ in range(PER_PAGE + 1):
        h.post(app, cid, mid)
    with app.test_request_context():
        m = db.session.get(CommunityMember, mid)
        services.add_post(m.community, m, "A useful report", services.PostKind.RESOURCE, "Report")
        db.session.commit()
    b = browser_factory()
    b.sign_in(user.email)
    page = text(b.get(f"/communities/{cid}/workspace?kind=resource"))
    assert "Report" in page and "A title" not in page
    page = text(b.get(f"/communities/{cid}/workspace?kind=nonsense"))
    assert f"Showing 1 to {PER_PAGE} of {PER_PAGE + 2}" in page
    assert b.get(f"/communities/{cid}/workspace?page=2").status_code == 200


def test_involvement_payments_as_excel_for_reconciling(app, make, browser_factory):
    from openpyxl import load_workbook

    cid = h.community(make, app, "=Workforce")
    _a, asker_mid = h.member(make, app, cid)
    _v, v_mid = h.member(make, app, cid, name="Vera Volunteer")
    _w, w_mid = h.member(make, app, cid, name="Wyn Waiting")
    staff = make.user(Role.STAFF)
    rid, vid = h.support_request(app, asker_mid, v_mid)
    with app.test_request_context():
        st = db.session.get(User, staff.id)
        v = db.session.get(SupportVolunteer, vid)
        waiting = support.volunteer(v.request, db.session.get(CommunityMember, w_mid), date.today())
        support.record_payment(v, st, 2550)
        support.mark_paid(v, st)
        db.session.commit()
        assert waiting.id
    sb = browser_factory()
    sb.sign_in(staff.email)
    assert 'href="/communities/payments.xlsx"' in sb.get("/communities/report").get_data(
        as_text=True
    )
    resp = sb.get("/communities/payments.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Community" and rows[0][-1] == "Amount (£)"
    by_name = {r[2]: r for r in rows[1:]}
    paid = by_name["Vera Volunteer"]
    assert paid[0] == "'=Workforce"  # formula-safe
    assert paid[6] == "Paid" and paid[7] == 25.5  # a number in pounds, not text
    assert paid[4] is not None and paid[5] is not None
    assert by_name["Wyn Waiting"][6] == "Not recorded" and by_name["Wyn Waiting"][7] is None
    paid_row = 2 + [r[2] for r in rows[1:]].index("Vera Volunteer")
    assert ws.cell(row=paid_row, column=8).number_format.startswith("£")
