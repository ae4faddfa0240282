"""The home page's communities card: a member sees their communities and the next
meeting; a facilitator sees how many join requests wait for them. Someone who joined
only a community (a carer, a member of the public) otherwise found nothing of it on
their home page."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from app.communities.models import Community, CommunityMeeting, CommunityMember, MemberStatus
from app.core.db import utcnow
from app.core.formatting import format_datetime
from app.extensions import db
from app.home.activity import known_member
from app.home.dashboard import Card, register_cards


@register_cards
def community_cards(user) -> list[Card]:
    rows = db.session.execute(
        select(CommunityMember.community_id, CommunityMember.facilitator, Community.name)
        .join(Community, Community.id == CommunityMember.community_id)
        .where(CommunityMember.user_id == user.id, CommunityMember.status == MemberStatus.MEMBER)
        .order_by(Community.name)
    ).all()
    known_member(user, bool(rows))
    if not rows:
        return []
    cards: list[Card] = []
    led = [r.community_id for r in rows if r.facilitator]
    if led:
        waiting = db.session.scalar(
            select(func.count(CommunityMember.id)).where(
                CommunityMember.community_id.in_(led),
                CommunityMember.status == MemberStatus.REQUESTED,
            )
        )
        if waiting:
            first = db.session.scalar(
                select(CommunityMember.community_id)
                .where(
                    CommunityMember.community_id.in_(led),
                    CommunityMember.status == MemberStatus.REQUESTED,
                )
                .order_by(CommunityMember.requested_at)
                .limit(1)
            )
            cards.append(
                Card(
                    f"{waiting} {'person asks' if waiting == 1 else 'people ask'} to join "
                    "a community you facilitate",
                    "Check each request and approve or decline it.",
                    url_for("communities.members", community_id=first),
                    waiting=waiting,
                )
            )
    nxt = db.session.execute(
        select(CommunityMeeting.id, CommunityMeeting.starts_at, CommunityMeeting.topic)
        .where(
            CommunityMeeting.community_id.in_([r.community_id for r in rows]),
            CommunityMeeting.starts_at >= utcnow(),
        )
        .order_by(CommunityMeeting.starts_at)
        .limit(1)
    ).first()
    names = [r.name for r in rows]
    names = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    description = f"You are a member of {names}."
    if nxt is not None:
        description += f" Next meeting: {nxt.topic}, {format_datetime(nxt.starts_at)}."
    heading = "Your community" if len(rows) == 1 else "Your communities"
    href = (
        url_for("communities.community", community_id=rows[0].community_id)
        if len(rows) == 1
        else url_for("communities.index")
    )
    cards.append(Card(heading, description, href))
    return cards
