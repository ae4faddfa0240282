"""Community meetings as calendar events: one meeting as its own .ics for a member, and
every meeting of the communities a person belongs to in a private calendar feed: the
award holder's research-days feed carries them, and every member (carer, researcher,
manager...) can have a communities feed of their own. Both feeds are the same mechanism
(app.release.calendar: a secret address, only its hash stored, revocable). The joining
link is in the event: only members get it; a member who leaves stops getting that
community's meetings at the next refresh."""

from __future__ import annotations

from datetime import UTC, timedelta

from icalendar import Event
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.communities.models import CommunityMeeting, CommunityMember, MemberStatus
from app.core.mail import external_url
from app.extensions import db

PRODID = "-//NHS Social Care Practitioner Researcher Programme//Communities//EN"


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


def is_member_anywhere(user_id: int) -> bool:
    """Whether the person is a member (not asking, not left) of any community: only they
    may have a communities calendar address, and it answers only while they are."""
    return (
        db.session.scalar(
            select(CommunityMember.id)
            .where(
                CommunityMember.user_id == user_id,
                CommunityMember.status == MemberStatus.MEMBER,
            )
            .limit(1)
        )
        is not None
    )


def build_member_calendar(user_id: int, host: str) -> bytes:
    """The communities feed: every meeting and training session of the person's
    communities, times in UTC."""
    from app.release.calendar import new_calendar

    cal = new_calendar(
        PRODID,
        "My communities of practice",
        "Meetings and training of your communities of practice. Changes made in the "
        "service appear here when your calendar refreshes.",
    )
    for meeting in member_meetings(user_id):
        cal.add_component(meeting_event(meeting, host))
    return cal.to_ical()
