"""The staff report on communities: membership by background, meetings held and
attendance, posts per month, involvement requests and payments. Each figure is one
grouped query, however many communities and members there are."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import contains_eager, joinedload

from app.accounts.models import User
from app.communities.models import (
    Background,
    Community,
    CommunityMeeting,
    CommunityMember,
    MeetingBooking,
    MemberStatus,
    Post,
    PriorityRound,
    PriorityTopic,
    PriorityVote,
    RoundStatus,
    SupportRequest,
    SupportVolunteer,
)
from app.core.db import utcnow
from app.core.formatting import to_london
from app.extensions import db


@dataclass
class Report:
    communities: list[Community]
    backgrounds: dict[tuple[int, Background], int]
    meetings: dict[int, tuple[int, int, int]]  # held, booked, attended
    posts: list[tuple[int, int, int, int]]  # community, year, month, posts
    requests: dict[int, tuple[int, int]]  # requests, funded
    payments: list[SupportVolunteer]
    winners: list[tuple[PriorityTopic, int]]


def build() -> Report:
    communities = list(db.session.scalars(select(Community).order_by(Community.name)))
    backgrounds = {
        (cid, bg): n
        for cid, bg, n in db.session.execute(
            select(CommunityMember.community_id, CommunityMember.background, func.count())
            .where(CommunityMember.status == MemberStatus.MEMBER)
            .group_by(CommunityMember.community_id, CommunityMember.background)
        )
    }
    held = CommunityMeeting.starts_at < utcnow()
    meetings = {
        cid: (held_n or 0, booked or 0, came or 0)
        for cid, held_n, booked, came in db.session.execute(
            select(
                CommunityMeeting.community_id,
                func.count(func.distinct(CommunityMeeting.id)),
                func.count(MeetingBooking.id),
                func.sum(case((MeetingBooking.attended.is_(True), 1), else_=0)),
            )
            .outerjoin(MeetingBooking, MeetingBooking.meeting_id == CommunityMeeting.id)
            .where(held)
            .group_by(CommunityMeeting.community_id)
        )
    }
    year, month = extract("year", Post.created_at), extract("month", Post.created_at)
    posts = [
        (cid, int(y), int(mo), n)
        for cid, y, mo, n in db.session.execute(
            select(Post.community_id, year, month, func.count())
            .where(Post.parent_id.is_(None))
            .group_by(Post.community_id, year, month)
            .order_by(Post.community_id, year, month)
        )
    ]
    requests = {
        cid: (n, funded or 0)
        for cid, n, funded in db.session.execute(
            select(
                SupportRequest.community_id,
                func.count(),
                func.sum(case((SupportRequest.funded.is_(True), 1), else_=0)),
            ).group_by(SupportRequest.community_id)
        )
    }
    payments = list(
        db.session.scalars(
            select(SupportVolunteer)
            .join(SupportRequest, SupportRequest.id == SupportVolunteer.request_id)
            .where(SupportRequest.funded.is_(True))
            .options(
                joinedload(SupportVolunteer.request).joinedload(SupportRequest.community),
                # the volunteer's name only: not their roles (a query of its own)
                joinedload(SupportVolunteer.member)
                .joinedload(CommunityMember.user)
                .load_only(User.name)
                .lazyload(User.role_links),
            )
            .order_by(
                SupportVolunteer.paid_at.isnot(None), SupportRequest.deadline, SupportVolunteer.id
            )
        )
    )
    votes = func.count(PriorityVote.id)
    winners = [
        (t, n)
        for t, n in db.session.execute(
            select(PriorityTopic, votes)
            .join(PriorityRound, PriorityRound.id == PriorityTopic.round_id)
            .outerjoin(PriorityVote, PriorityVote.topic_id == PriorityTopic.id)
            .where(PriorityRound.status == RoundStatus.CLOSED)
            .options(contains_eager(PriorityTopic.round))  # its title, not a query per topic
            .group_by(PriorityTopic.id, PriorityRound.id)
            .order_by(votes.desc(), PriorityTopic.id)
            .limit(10)
        )
    ]
    return Report(communities, backgrounds, meetings, posts, requests, payments, winners)


def csv_rows(r: Report):
    """(section, community, item, value) rows for the CSV."""
    names = {c.id: c.name for c in r.communities}
    yield ("Section", "Community", "Item", "Value")
    for c in r.communities:
        for bg in Background:
            yield ("Members by background", c.name, bg.label, r.backgrounds.get((c.id, bg), 0))
        held, booked, came = r.meetings.get(c.id, (0, 0, 0))
        yield ("Meetings", c.name, "Meetings held", held)
        yield ("Meetings", c.name, "Places booked", booked)
        yield ("Meetings", c.name, "Attended", came)
        n, funded = r.requests.get(c.id, (0, 0))
        yield ("Involvement requests", c.name, "Requests", n)
        yield ("Involvement requests", c.name, "Funded", funded)
    for cid, y, mo, n in r.posts:
        yield ("Posts per month", names.get(cid, ""), f"{y}-{mo:02d}", n)
    for v in r.payments:
        yield (
            "Involvement payments",
            v.request.community.name,
            f"{v.member.user.name}: {v.request.title}",
            _payment(v),
        )


def _payment(v: SupportVolunteer) -> str:
    if v.payment_pence is None:
        return "not recorded"
    pounds, pence = divmod(v.payment_pence, 100)
    return f"{pounds}.{pence:02d} {'paid' if v.paid_at else 'not paid'}"


PAYMENT_HEADERS = [
    "Community",
    "Request",
    "Volunteer",
    "Minutes logged",
    "Payment recorded on",
    "Paid on",
    "Status",
    "Amount (£)",
]


def payment_rows(r: Report):
    """One row per volunteer on a funded request, for staff reconciling payments: dates
    as UK dates, the amount in pence (None when not recorded yet)."""
    for v in r.payments:
        recorded = to_london(v.payment_recorded_at).date() if v.payment_recorded_at else None
        paid = to_london(v.paid_at).date() if v.paid_at else None
        status = "Paid" if v.paid_at else "Not paid"
        yield [
            v.request.community.name,
            v.request.title,
            v.member.user.name,
            v.minutes,
            recorded,
            paid,
            "Not recorded" if v.payment_pence is None else status,
            v.payment_pence,
        ]
