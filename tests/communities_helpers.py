"""Factories for the communities tests and the access matrix: a community with ground
rules, members of each background (approved through the real services), a facilitator,
posts, meetings, a closed priority round and a funded support request."""

from __future__ import annotations

from datetime import date, timedelta

from app.accounts.models import User
from app.communities import meetings, priorities, services, support
from app.communities.models import (
    Background,
    Community,
    CommunityMember,
    MeetingKind,
    PostKind,
    SupportKind,
)
from app.core.db import utcnow
from app.core.roles import Role
from app.extensions import db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RULES = "Be kind. Keep what people share in confidence. No selling."


def community(make, app, name: str | None = None) -> int:
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        c = services.create_community(
            db.session.get(User, staff.id),
            name or f"Complex needs {utcnow().timestamp()}",
            "Complex needs",
            "Practice, research and lived experience of complex needs.",
            RULES,
        )
        db.session.commit()
        return c.id


def join(
    app,
    community_id: int,
    user_id: int,
    background=Background.PRACTICE,
    approve=True,
    facilitator=False,
    **profile,
) -> int:
    """`user_id` asks to join (accepting the current rules); approved by the service."""
    with app.test_request_context():
        c = db.session.get(Community, community_id)
        u = db.session.get(User, user_id)
        m = services.ask_to_join(
            c, u, services.Profile(background=background, **profile), True, c.rules_version
        )
        if approve:
            services.decide(m, u, True)
        if facilitator:
            services.set_facilitator(m, u, True)
        db.session.commit()
        return m.id


def member(make, app, community_id: int, *roles, **kw) -> tuple[User, int]:
    user = make.user(*roles, **{k: kw.pop(k) for k in ("name", "orgs") if k in kw})
    return user, join(app, community_id, user.id, **kw)


def post(app, community_id: int, member_id: int, body="A thought", file=None, parent=None) -> int:
    with app.test_request_context():
        m = db.session.get(CommunityMember, member_id)
        from app.communities.models import Post

        p = services.add_post(
            m.community,
            m,
            body,
            None if parent else PostKind.THOUGHT,
            "" if parent else "A title",
            parent=db.session.get(Post, parent) if parent else None,
            file=file,
            filename="paper.pdf" if file else "",
        )
        db.session.commit()
        return p.id


def meeting(app, community_id: int, facilitator_user_id: int, days=7, at=(14, 0)) -> int:
    from datetime import time

    with app.test_request_context():
        c = db.session.get(Community, community_id)
        m = meetings.schedule(
            c,
            db.session.get(User, facilitator_user_id),
            meetings.MeetingData(
                kind=MeetingKind.MEETING,
                day=(utcnow() + timedelta(days=days)).date(),
                at=time(*at),
                minutes=90,
                topic="Multiple exclusion homelessness",
                speaker_name="Dr A Speaker, University of Kent",
                join_link="https://meet.example.org/complex-needs",
            ),
        )
        db.session.commit()
        return m.id


def closed_round(app, community_id: int, member_id: int) -> tuple[int, int]:
    with app.test_request_context():
        c = db.session.get(Community, community_id)
        m = db.session.get(CommunityMember, member_id)
        r = priorities.open_round(c, m.user, "Priorities")
        t = priorities.propose(r, m, "Workforce wellbeing", "")
        priorities.vote(t, m)
        priorities.close_round(r, m.user)
        db.session.commit()
        return r.id, t.id


def support_request(app, member_id: int, volunteer_member_id: int | None = None, funded=True):
    with app.test_request_context():
        m = db.session.get(CommunityMember, member_id)
        today = date.today()
        req = support.ask(
            m.community,
            m,
            SupportKind.PLAIN_SUMMARY,
            "A bid on carers' breaks",
            "Help with a plain English summary",
            today + timedelta(days=30),
            today,
            funded,
        )
        vid = None
        if volunteer_member_id:
            v = support.volunteer(req, db.session.get(CommunityMember, volunteer_member_id), today)
            vid = v.id
        db.session.commit()
        return req.id, vid


def community_feed(app, user_id: int) -> str:
    """A member's communities calendar address; returns its secret."""
    from app.release import calendar

    with app.test_request_context():
        token = calendar.create_feed(db.session.get(User, user_id), calendar.COMMUNITIES)
        db.session.commit()
        return token
