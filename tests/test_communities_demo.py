"""The communities demo: "Complex needs" and "Workforce" with members of every
background (carer@demo.test a member with no employer), a year of monthly meetings with
attendance, training sessions, a live workspace with one hidden post, a closed priority
round and involvement payments; loading it twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.communities.models import (
    Background,
    Community,
    CommunityMeeting,
    CommunityMember,
    MeetingBooking,
    MeetingKind,
    MemberStatus,
    Post,
    PriorityRound,
    RoundStatus,
    SupportVolunteer,
)
from app.core.db import utcnow
from app.core.roles import Role
from app.extensions import db


def test_demo_communities(app, browser):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        before = db.session.scalar(select(func.count(CommunityMember.id)))
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(CommunityMember.id))) == before
        names = set(db.session.scalars(select(Community.name)))
        assert names == {"Complex needs", "Workforce"}
        for c in db.session.scalars(select(Community)):
            backgrounds = set(
                db.session.scalars(
                    select(CommunityMember.background).where(
                        CommunityMember.community_id == c.id,
                        CommunityMember.status == MemberStatus.MEMBER,
                    )
                )
            )
            assert backgrounds == set(Background), c.name
            held = db.session.scalar(
                select(func.count(CommunityMeeting.id)).where(
                    CommunityMeeting.community_id == c.id,
                    CommunityMeeting.kind == MeetingKind.MEETING,
                    CommunityMeeting.starts_at < utcnow(),
                )
            )
            assert held >= 10, c.name  # a year of monthly meetings
            assert db.session.scalar(
                select(func.count(CommunityMeeting.id)).where(
                    CommunityMeeting.community_id == c.id,
                    CommunityMeeting.starts_at > utcnow(),
                )
            )
        carer = db.session.scalar(select(User).where(User.email == "carer@demo.test"))
        assert carer.memberships == []
        assert {
            m.status
            for m in db.session.scalars(
                select(CommunityMember).where(CommunityMember.user_id == carer.id)
            )
        } == {MemberStatus.MEMBER}
        assert db.session.scalar(
            select(func.count(MeetingBooking.id)).where(MeetingBooking.attended.is_(True))
        )
        assert db.session.scalar(select(func.count(Post.id)).where(Post.hidden_at.isnot(None))) == 1
        assert db.session.scalar(
            select(func.count(PriorityRound.id)).where(PriorityRound.status == RoundStatus.CLOSED)
        )
        assert db.session.scalar(
            select(func.count(SupportVolunteer.id)).where(
                SupportVolunteer.paid_at.is_(None), SupportVolunteer.payment_pence.isnot(None)
            )
        )
    browser.sign_in("carer@demo.test", "demo-password")
    page = browser.get("/communities/").get_data(as_text=True)
    assert "Complex needs" in page and "Workforce" in page


def test_national_data_has_communities(app):
    """Two communities a region, members of every background, a year of meetings with
    bookings, posts, votes and involvement payments, all within the constraints."""
    from datetime import date

    from app.demo import national
    from tests.test_national_data import SCALE

    with app.app_context():
        counts = national.generate(scale=SCALE, today=date(2026, 11, 20)).counts
        assert counts["community"] == 2 * len(
            national.REGIONS[: max(1, national.Sizes.at(SCALE).cohorts // 3)]
        )
        for table in (
            "community_member",
            "community_meeting",
            "community_booking",
            "community_post",
            "priority_vote",
            "support_volunteer",
        ):
            assert counts[table] > 0, table
        backgrounds = set(db.session.scalars(select(CommunityMember.background).distinct()))
        assert backgrounds == set(Background)
        # bench/run.py's member: a carer in both communities of the first region, who
        # registered and never applied, facilitating neither
        member = db.session.scalar(select(User).where(User.email == national.NAMED["member"]))
        rows = db.session.scalars(
            select(CommunityMember).where(CommunityMember.user_id == member.id)
        ).all()
        assert len(rows) == 2
        assert {r.community.name for r in rows} == {
            f"{t} ({national.REGIONS[0][0]})" for t in ("Complex needs", "Workforce")
        }
        assert all(r.status == MemberStatus.MEMBER and not r.facilitator for r in rows)
        from app.applications.models import Application

        assert member.roles == {Role.APPLICANT}
        assert not db.session.scalar(
            select(func.count(Application.id)).where(Application.applicant_id == member.id)
        )
