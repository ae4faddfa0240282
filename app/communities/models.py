"""Communities of practice (issue 19): alumni, practitioners, researchers, carers and
people who draw on care and support meet monthly around a theme, keep a shared
workspace between meetings, set priorities together and support each other's research
bids. Modelled on the Kent Research Partnership's two communities.

Anyone signed in may ask to join (no employer needed); a facilitator approves. Joining
records the version of the ground rules accepted. A member chooses what other members
see of them. Times are stored in UTC and shown in Europe/London; money in pence."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_type, utcnow
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, link, not_personal, personal

# What each column holds, for the personal-data map (issue 20).
MINE = personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.SUBJECT)
ACTED = personal(Category.PARTICIPATION, Retention.PROGRAMME, person=Person.ACTOR)
WRITTEN = personal(Category.FREE_TEXT, Retention.PROGRAMME)
# what a member wrote in a shared place: it stays for the others to read after an erasure,
# credited to "Former member" (issue 20), with their name and email scrubbed from it
SHARED = personal(Category.FREE_TEXT, Retention.PUBLISHED)
ACCESS = personal(Category.SPECIAL, Retention.PROGRAMME)


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        return LABELS[self]


class Background(_Labelled):
    PRACTICE = "practice"
    RESEARCH = "research"
    LIVED_EXPERIENCE = "lived_experience"
    CARER = "carer"


class MemberStatus(_Labelled):
    REQUESTED = "requested"
    MEMBER = "member"
    DECLINED = "declined"
    LEFT = "left"


class PostKind(_Labelled):
    THOUGHT = "thought"
    RESOURCE = "resource"
    OPPORTUNITY = "opportunity"
    EVENT = "event"


class MeetingKind(_Labelled):
    MEETING = "meeting"
    TRAINING = "training"


class RoundStatus(_Labelled):
    OPEN = "open"
    CLOSED = "closed"


class SupportKind(_Labelled):
    IDEA_FEEDBACK = "idea_feedback"
    APPLICATION_REVIEW = "application_review"
    PLAIN_SUMMARY = "plain_summary"


LABELS = {
    Background.PRACTICE: "Practice",
    Background.RESEARCH: "Research",
    Background.LIVED_EXPERIENCE: "Lived experience of drawing on care and support",
    Background.CARER: "Unpaid carer",
    MemberStatus.REQUESTED: "Asked to join",
    MemberStatus.MEMBER: "Member",
    MemberStatus.DECLINED: "Not approved",
    MemberStatus.LEFT: "Left",
    PostKind.THOUGHT: "Thought",
    PostKind.RESOURCE: "Resource",
    PostKind.OPPORTUNITY: "Opportunity",
    PostKind.EVENT: "Event",
    MeetingKind.MEETING: "Community meeting",
    MeetingKind.TRAINING: "Member training",
    RoundStatus.OPEN: "Open",
    RoundStatus.CLOSED: "Closed",
    SupportKind.IDEA_FEEDBACK: "Feedback on a research idea",
    SupportKind.APPLICATION_REVIEW: "Public involvement review of an application",
    SupportKind.PLAIN_SUMMARY: "Help with a plain English summary",
}

# Accessibility requests a member can make for a meeting: (column, label).
ACCESS_NEEDS = (
    ("captions", "Live captions"),
    ("speaking_aid", "A speaking aid (for example, typing in the chat read out for me)"),
    ("text_reader", "Papers that work with a text reader"),
    ("support_visit", "A visit to help me set up for online meetings"),
)


class Community(db.Model):
    __tablename__ = "community"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), info=not_personal())
    theme: Mapped[str] = mapped_column(String(200), info=not_personal())
    description: Mapped[str] = mapped_column(Text, info=not_personal())
    rules_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), info=ACTED
    )

    rules = relationship(
        "GroundRules", order_by="GroundRules.version.desc()", back_populates="community"
    )

    @property
    def current_rules(self) -> GroundRules | None:
        return next((r for r in self.rules if r.version == self.rules_version), None)


class GroundRules(db.Model):
    """Every version is kept: a member's acceptance names the version they read."""

    __tablename__ = "community_rules"
    __table_args__ = (UniqueConstraint("community_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, info=not_personal())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), info=ACTED
    )

    community = relationship("Community", back_populates="rules")


class CommunityMember(db.Model):
    """One row per person and community: asking again after leaving reuses it."""

    __tablename__ = "community_member"
    __table_args__ = (
        UniqueConstraint("community_id", "user_id"),
        Index("ix_community_member_status", "community_id", "status"),
        CheckConstraint(
            "status != 'member' OR rules_version IS NOT NULL", name="member_accepted_rules"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True, info=MINE
    )
    status: Mapped[MemberStatus] = mapped_column(enum_type(MemberStatus, 16))
    facilitator: Mapped[bool] = mapped_column(Boolean, default=False)
    background: Mapped[Background] = mapped_column(enum_type(Background, 24))
    role_text: Mapped[str] = mapped_column(
        String(120), default="", info=personal(Category.EMPLOYMENT, Retention.PROGRAMME)
    )
    organisation_text: Mapped[str] = mapped_column(
        String(200), default="", info=personal(Category.EMPLOYMENT, Retention.PROGRAMME)
    )
    show_name: Mapped[bool] = mapped_column(Boolean, default=True)
    show_role: Mapped[bool] = mapped_column(Boolean, default=True)
    show_organisation: Mapped[bool] = mapped_column(Boolean, default=False)
    digest: Mapped[bool] = mapped_column(Boolean, default=True)
    rules_version: Mapped[int | None] = mapped_column(Integer)
    rules_accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), info=ACTED
    )
    left_at: Mapped[datetime | None] = mapped_column(DateTime)

    community = relationship("Community")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def shown_name(self) -> str:
        return self.user.name if self.show_name else "A member"


class Post(db.Model):
    """A workspace post, or (with a parent) a reply to one. Plain text only."""

    __tablename__ = "community_post"
    __table_args__ = (
        Index("ix_community_post_list", "community_id", "parent_id", "created_at"),
        CheckConstraint("parent_id IS NOT NULL OR kind IS NOT NULL", name="post_has_kind"),
        CheckConstraint("file_id IS NULL OR filename IS NOT NULL", name="file_has_name"),
        CheckConstraint("hidden_at IS NULL OR hidden_reason IS NOT NULL", name="hidden_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_post.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_member.id", ondelete="SET NULL"), index=True, info=link()
    )
    kind: Mapped[PostKind | None] = mapped_column(enum_type(PostKind, 16))
    title: Mapped[str] = mapped_column(String(200), default="", info=SHARED)
    body: Mapped[str] = mapped_column(Text, info=SHARED)
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), index=True
    )
    filename: Mapped[str | None] = mapped_column(
        String(120), info=personal(Category.FILE, Retention.PROGRAMME)
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), info=ACTED
    )
    hidden_reason: Mapped[str | None] = mapped_column(String(500), info=WRITTEN)

    author = relationship("CommunityMember")
    file = relationship("StoredFile")


class CommunityMeeting(db.Model):
    """A monthly meeting, or (kind training) a session for members new to online tools."""

    __tablename__ = "community_meeting"
    __table_args__ = (
        Index("ix_community_meeting_when", "community_id", "starts_at"),
        CheckConstraint("minutes > 0 AND minutes <= 480", name="minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"))
    kind: Mapped[MeetingKind] = mapped_column(enum_type(MeetingKind, 16))
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    minutes: Mapped[int] = mapped_column(Integer, default=90)
    topic: Mapped[str] = mapped_column(String(200), info=not_personal())
    speaker_name: Mapped[str] = mapped_column(
        String(200), default="", info=personal(Category.CONTACT, Retention.PROGRAMME)
    )
    speaker_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), info=ACTED
    )
    join_link: Mapped[str] = mapped_column(String(500), default="", info=not_personal())
    notes: Mapped[str] = mapped_column(Text, default="", info=WRITTEN)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    community = relationship("Community")
    speaker_user = relationship("User")
    actions = relationship("MeetingAction", order_by="MeetingAction.id", back_populates="meeting")

    @property
    def speaker(self) -> str:
        if self.speaker_user is not None:
            return self.speaker_user.name
        return self.speaker_name


class MeetingBooking(db.Model):
    """A member's place at a meeting, their accessibility requests and attendance."""

    __tablename__ = "community_booking"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("community_meeting.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("community_member.id", ondelete="CASCADE"), index=True, info=link()
    )
    captions: Mapped[bool] = mapped_column(Boolean, default=False)
    speaking_aid: Mapped[bool] = mapped_column(Boolean, default=False)
    text_reader: Mapped[bool] = mapped_column(Boolean, default=False)
    support_visit: Mapped[bool] = mapped_column(Boolean, default=False)
    access_note: Mapped[str] = mapped_column(String(500), default="", info=ACCESS)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    booked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    meeting = relationship("CommunityMeeting")
    member = relationship("CommunityMember")

    @property
    def needs(self) -> list[str]:
        return [label for col, label in ACCESS_NEEDS if getattr(self, col)]


class MeetingAction(db.Model):
    __tablename__ = "community_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("community_meeting.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(500), info=WRITTEN)
    owner: Mapped[str] = mapped_column(
        String(200), default="", info=personal(Category.CONTACT, Retention.PROGRAMME)
    )
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    meeting = relationship("CommunityMeeting", back_populates="actions")


class PriorityRound(db.Model):
    __tablename__ = "priority_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), info=not_personal())
    status: Mapped[RoundStatus] = mapped_column(enum_type(RoundStatus, 16))
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    community = relationship("Community", foreign_keys=[community_id])


class PriorityTopic(db.Model):
    __tablename__ = "priority_topic"
    __table_args__ = (UniqueConstraint("round_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("priority_round.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), info=not_personal())
    description: Mapped[str] = mapped_column(Text, default="", info=WRITTEN)
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_member.id", ondelete="SET NULL"), info=link(Person.ACTOR)
    )
    # the community started from this topic, once staff have started one
    new_community_id: Mapped[int | None] = mapped_column(
        ForeignKey("community.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    round = relationship("PriorityRound")


class PriorityVote(db.Model):
    """One vote per topic per member: the unique constraint holds it under parallel
    requests."""

    __tablename__ = "priority_vote"
    __table_args__ = (UniqueConstraint("topic_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("priority_topic.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("community_member.id", ondelete="CASCADE"), index=True, info=link()
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SupportRequest(db.Model):
    """A member asks for feedback on a research idea or public involvement support on a
    bid, by a deadline; one or two volunteers are matched."""

    __tablename__ = "support_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_member.id", ondelete="SET NULL"), info=link()
    )
    kind: Mapped[SupportKind] = mapped_column(enum_type(SupportKind, 24))
    title: Mapped[str] = mapped_column(String(200), info=WRITTEN)
    description: Mapped[str] = mapped_column(Text, info=WRITTEN)
    deadline: Mapped[date] = mapped_column(Date)
    funded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    community = relationship("Community")
    requester = relationship("CommunityMember")
    volunteers = relationship(
        "SupportVolunteer", order_by="SupportVolunteer.id", back_populates="request"
    )


class SupportVolunteer(db.Model):
    """A volunteer's time and, where funded, the involvement payment staff make (no bank
    details here)."""

    __tablename__ = "support_volunteer"
    __table_args__ = (
        UniqueConstraint("request_id", "member_id"),
        CheckConstraint("minutes >= 0", name="minutes_positive"),
        CheckConstraint("payment_pence IS NULL OR payment_pence > 0", name="payment_positive"),
        CheckConstraint("paid_at IS NULL OR payment_pence IS NOT NULL", name="paid_has_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_request.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("community_member.id", ondelete="CASCADE"), index=True, info=link()
    )
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    payment_pence: Mapped[int | None] = mapped_column(
        Integer, info=personal(Category.FINANCE, Retention.FINANCE)
    )
    payment_recorded_at: Mapped[datetime | None] = mapped_column(DateTime)
    payment_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), info=ACTED
    )
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    request = relationship("SupportRequest", back_populates="volunteers")
    member = relationship("CommunityMember")
