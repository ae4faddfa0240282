"""Community meetings as calendar events: one meeting as its own .ics for a member, and
every meeting of the communities a person belongs to in their private calendar feed
(the award holder's feed, app.release.calendar). The joining link is in the event: only
members get it."""

from __future__ import annotations

from datetime import UTC, timedelta

from icalendar import Event
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.communities.models import CommunityMeeting, CommunityMember, MemberStatus
from app.core.mail import external_url
from app.extensions import db


def meeting_event(meeting: CommunityMeeting, host: str) -> Event:
    start = meeting.starts_at.replace(tzinfo=UTC)
    event = Event()
    event.add("uid", f"community-meeting-{meeting.id}@{host}")
    event.add("dtstamp", meeting.created_at.replace(tzinfo=UTC))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.minutes))
    event.add("summary", f"{meeting.community.name}: {meeting.topic}")
    lines = [
        f"Speaker: {meeting.speaker}" if meeting.speaker else "",
        f"Join: {meeting.join_link}" if meeting.join_link else "",
        external_url("communities.meeting", meeting_id=meeting.id),
    ]
    event.add("description", "\n".join(x for x in lines if x))
    if meeting.join_link:
        event.add("location", meeting.join_link)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def member_meetings(user_id: int) -> list[CommunityMeeting]:
    """Every meeting and training session of the communities `user_id` is a member of."""
    member_of = select(CommunityMember.community_id).where(
        CommunityMember.user_id == user_id, CommunityMember.status == MemberStatus.MEMBER
    )
    return list(
        db.session.scalars(
            select(CommunityMeeting)
            .where(CommunityMeeting.community_id.in_(member_of))
            .options(
                joinedload(CommunityMeeting.community), joinedload(CommunityMeeting.speaker_user)
            )
            .order_by(CommunityMeeting.starts_at, CommunityMeeting.id)
        )
    )
