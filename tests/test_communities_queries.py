"""Communities' pages make as many queries with 100 records as with 10: the workspace
(posts with replies), members, meetings, a meeting with its bookings, a priority round's
topics and votes, support requests with volunteers, and the staff report and CSV."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from app.accounts.models import User, UserRole, UserStatus
from app.communities.models import (
    Background,
    CommunityMeeting,
    CommunityMember,
    MeetingBooking,
    MeetingKind,
    MemberStatus,
    Post,
    PostKind,
    PriorityRound,
    PriorityTopic,
    PriorityVote,
    RoundStatus,
    SupportKind,
    SupportRequest,
    SupportVolunteer,
)
from app.core.db import utcnow
from app.core.roles import Role
from app.extensions import db
from tests import communities_helpers as h
from tests.test_query_counts import assert_flat, page_queries

_seq = count(1)


def _add(app, cid: int, meeting_id: int, round_id: int, n: int) -> None:
    """`n` more of everything behind the pages."""
    with app.app_context():
        now = utcnow()
        for i in range(n):
            k = next(_seq)
            u = User(email=f"cop{k}@example.test", name=f"Member {k}", status=UserStatus.ACTIVE)
            u.role_links.append(UserRole(role=Role.APPLICANT))
            m = CommunityMember(
                community_id=cid,
                user=u,
                status=MemberStatus.MEMBER,
                background=list(Background)[k % 4],
                role_text="Carer",
                organisation_text="",
                rules_version=1,
                rules_accepted_at=now,
            )
            db.session.add(m)
            db.session.flush()
            post = Post(
                community_id=cid,
                author_id=m.id,
                kind=PostKind.THOUGHT,
                title=f"Post {k}",
                body="Text https://example.org",
                created_at=now - timedelta(days=i % 60),
            )
            db.session.add(post)
            db.session.flush()
            db.session.add(Post(community_id=cid, parent_id=post.id, author_id=m.id, body="Reply"))
            db.session.add(
                CommunityMeeting(
                    community_id=cid,
                    kind=MeetingKind.MEETING,
                    topic=f"Meeting {k}",
                    starts_at=now + timedelta(days=(i % 40) - 20),
                    minutes=60,
                )
            )
            db.session.add(
                MeetingBooking(meeting_id=meeting_id, member_id=m.id, captions=i % 2 == 0)
            )
            topic = PriorityTopic(round_id=round_id, title=f"Topic {k}", proposed_by_id=m.id)
            db.session.add(topic)
            db.session.flush()
            db.session.add(PriorityVote(topic_id=topic.id, member_id=m.id))
            req = SupportRequest(
                community_id=cid,
                requester_id=m.id,
                kind=SupportKind.IDEA_FEEDBACK,
                title=f"Idea {k}",
                description="Help",
                deadline=now.date(),
                funded=True,
            )
            db.session.add(req)
            db.session.flush()
            db.session.add(SupportVolunteer(request_id=req.id, member_id=m.id, minutes=30))
        db.session.commit()


def test_community_pages_do_not_grow_with_records(app, make, browser_factory):
    cid = h.community(make, app)
    fac, fac_mid = h.member(make, app, cid, Role.AWARD_HOLDER, facilitator=True)
    meeting_id = h.meeting(app, cid, fac.id)
    with app.app_context():
        r = PriorityRound(community_id=cid, title="Round", status=RoundStatus.OPEN)
        db.session.add(r)
        db.session.commit()
        round_id = r.id
    staff = make.user(Role.STAFF)
    fb, sb = browser_factory(), browser_factory()
    fb.sign_in(fac.email)
    sb.sign_in(staff.email)
    member_urls = [
        f"/communities/{cid}/workspace",
        f"/communities/{cid}/members",
        f"/communities/{cid}/meetings",
        f"/communities/meetings/{meeting_id}",
        f"/communities/rounds/{round_id}",
        f"/communities/{cid}/support",
        "/communities/",
    ]
    staff_urls = ["/communities/report", "/communities/report.csv"]
    _add(app, cid, meeting_id, round_id, 10)
    at_10 = {u: page_queries(app, fb, u) for u in member_urls}
    at_10.update({u: page_queries(app, sb, u) for u in staff_urls})
    _add(app, cid, meeting_id, round_id, 90)
    at_100 = {u: page_queries(app, fb, u) for u in member_urls}
    at_100.update({u: page_queries(app, sb, u) for u in staff_urls})
    for url in at_10:
        assert_flat(url, at_10[url], at_100[url])


def test_the_report_names_each_winning_rounds_title_without_a_query_per_topic(
    app, make, browser_factory
):
    """The top priorities show their round's title: loaded with the topics, not one query
    per topic; and the volunteers' names without their roles."""
    cid = h.community(make, app)
    _fac, fac_mid = h.member(make, app, cid, Role.AWARD_HOLDER, facilitator=True)
    _vol, vol_mid = h.member(make, app, cid, Role.AWARD_HOLDER)
    staff = make.user(Role.STAFF)
    sb = browser_factory()
    sb.sign_in(staff.email)

    def more(n: int) -> list[str]:
        for _ in range(n):
            h.closed_round(app, cid, fac_mid)
            h.support_request(app, fac_mid, volunteer_member_id=vol_mid)
        return page_queries(app, sb, "/communities/report")

    at_1, at_6 = more(1), more(5)
    assert_flat("/communities/report", at_1, at_6)
    assert not [s for s in at_6 if "FROM user_role" in s], at_6
