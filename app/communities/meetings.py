"""Meetings and member training: a facilitator schedules one (the date and time typed in
London time, stored in UTC), members book a place with any accessibility requests, the
facilitator records who attended, the notes and the follow-up actions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.communities.models import (
    ACCESS_NEEDS,
    Community,
    CommunityMeeting,
    CommunityMember,
    MeetingAction,
    MeetingBooking,
    MeetingKind,
)
from app.communities.services import BODY_MAX, Changed, CommunityError, _text, insert_once
from app.core import audit
from app.core.db import utcnow
from app.core.formatting import LONDON
from app.extensions import db

LINK_RE = re.compile(r"https://[^\s<>\"']+", re.IGNORECASE)


def london_to_utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class MeetingData:
    kind: MeetingKind
    day: date
    at: time
    minutes: int
    topic: str
    speaker_name: str = ""
    speaker_user_id: int | None = None
    join_link: str = ""


def speaker_account(email: str) -> int | None:
    """The account of a speaker who has one, by email address (None when left empty)."""
    from app.accounts.models import User

    email = (email or "").strip().lower()
    if not email:
        return None
    user_id = db.session.scalar(select(User.id).where(User.email == email))
    if user_id is None:
        raise CommunityError(
            "There is no account with this email address. Leave it empty and enter the "
            "speaker's name instead",
            "speaker_email",
        )
    return user_id


def schedule(community: Community, actor, data: MeetingData) -> CommunityMeeting:
    if not 15 <= data.minutes <= 480:
        raise CommunityError("The length must be between 15 and 480 minutes", "minutes")
    link = (data.join_link or "").strip()
    if link and (len(link) > 500 or not LINK_RE.fullmatch(link)):
        raise CommunityError(
            "Enter the joining link starting https://, 500 characters or fewer", "join_link"
        )
    meeting = CommunityMeeting(
        community_id=community.id,
        kind=data.kind,
        starts_at=london_to_utc(data.day, data.at),
        minutes=data.minutes,
        topic=_text(data.topic, "the topic", "topic", 200),
        speaker_name=_text(data.speaker_name, "the speaker's name", "speaker_name", 200, False),
        speaker_user_id=data.speaker_user_id,
        join_link=link,
    )
    db.session.add(meeting)
    db.session.flush()
    audit.record(
        "communities.meeting_scheduled",
        meeting,
        actor=actor,
        changes={"starts_at": [None, meeting.starts_at], "kind": [None, meeting.kind]},
        summary=f"{community.name}: {meeting.topic}"[:300],
    )
    return meeting


def booking_of(meeting: CommunityMeeting, member: CommunityMember) -> MeetingBooking | None:
    return db.session.scalar(
        select(MeetingBooking).where(
            MeetingBooking.meeting_id == meeting.id, MeetingBooking.member_id == member.id
        )
    )


def book(
    meeting: CommunityMeeting, member: CommunityMember, needs: set[str], note: str = ""
) -> MeetingBooking:
    """Book a place (or change the accessibility requests of one). Not after it began."""
    if meeting.starts_at <= utcnow():
        raise CommunityError("This meeting has already started.", "needs")
    unknown = needs - {col for col, _ in ACCESS_NEEDS}
    if unknown:
        raise CommunityError("Select from the accessibility options shown", "needs")
    note = _text(note, "the note", "access_note", 500, required=False)
    booking = booking_of(meeting, member)
    new = booking is None
    if new:
        booking = MeetingBooking(meeting_id=meeting.id, member_id=member.id)
    for col, _label in ACCESS_NEEDS:
        setattr(booking, col, col in needs)
    booking.access_note = note
    insert_once(booking, Changed("You have already booked a place at this meeting."), add=new)
    audit.record(
        "communities.booked" if new else "communities.booking_changed",
        booking,
        actor=member.user,
        changes={"needs": [None, sorted(needs)]},
        summary=f"Meeting {meeting.id}: {meeting.topic}"[:300],
    )
    return booking


def cancel(booking: MeetingBooking, member: CommunityMember) -> None:
    if booking.meeting.starts_at <= utcnow():
        raise CommunityError("This meeting has already started.")
    audit.record(
        "communities.booking_cancelled",
        booking,
        actor=member.user,
        summary=f"Meeting {booking.meeting_id}",
    )
    db.session.delete(booking)
    db.session.flush()


def record_attendance(meeting: CommunityMeeting, actor, attended_ids: set[int]) -> int:
    """Who came, from the bookings. Only once the meeting has started."""
    if meeting.starts_at > utcnow():
        raise CommunityError("Record attendance once the meeting has started.", "attended")
    bookings = bookings_for(meeting)
    changes = {}
    for b in bookings:
        came = b.id in attended_ids
        if b.attended != came:
            changes[str(b.member_id)] = [b.attended, came]
            b.attended = came
    audit.record(
        "communities.attendance",
        meeting,
        actor=actor,
        changes=changes,
        summary=f"{sum(1 for b in bookings if b.attended)} attended meeting {meeting.id}",
    )
    db.session.flush()
    return sum(1 for b in bookings if b.attended)


def save_notes(meeting: CommunityMeeting, actor, notes: str) -> None:
    notes = _text(notes, "the notes", "notes", BODY_MAX * 4, required=False)
    before = meeting.notes
    meeting.notes = notes
    audit.record(
        "communities.notes",
        meeting,
        actor=actor,
        changes={"notes_length": [len(before or ""), len(notes)]},
        summary=f"Notes of meeting {meeting.id}",
    )
    db.session.flush()


def add_action(
    meeting: CommunityMeeting, actor, text: str, owner: str, due_on: date | None
) -> MeetingAction:
    action = MeetingAction(
        meeting_id=meeting.id,
        text=_text(text, "the action", "text", 500),
        owner=_text(owner, "who will do it", "owner", 200, required=False),
        due_on=due_on,
    )
    db.session.add(action)
    db.session.flush()
    audit.record("communities.action_added", action, actor=actor, summary=action.text[:300])
    return action


def bookings_for(meeting: CommunityMeeting) -> list[MeetingBooking]:
    return list(
        db.session.scalars(
            select(MeetingBooking)
            .where(MeetingBooking.meeting_id == meeting.id)
            .options(joinedload(MeetingBooking.member).joinedload(CommunityMember.user))
            .order_by(MeetingBooking.id)
        )
    )


def meetings_of(community: Community, kind: MeetingKind | None = None):
    stmt = select(CommunityMeeting).where(CommunityMeeting.community_id == community.id)
    if kind is not None:
        stmt = stmt.where(CommunityMeeting.kind == kind)
    return list(
        db.session.scalars(
            stmt.options(joinedload(CommunityMeeting.speaker_user)).order_by(
                CommunityMeeting.starts_at.desc()
            )
        )
    )
