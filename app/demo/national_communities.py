"""The national data set's communities of practice (issue 19): in every region, a
"Complex needs" and a "Workforce" community of about sixty members (the Kent
communities had 56 and 60): alumni and PSWs from practice, supervisors from research,
and unpaid carers and people with lived experience (drawn from the set's other people: its
sizes and memberships stay as they are). A year of monthly meetings each with bookings (a
few with access requests) and attendance, a workspace of a few posts a week with
replies, a closed priority round, and a few funded involvement requests with
volunteers and payments.

Its own random generator, so the other families make the data they made before. Rows
are bulk-inserted like the other families."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import update

from app.communities.models import (
    Background,
    Community,
    CommunityMeeting,
    CommunityMember,
    GroundRules,
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
from app.core.roles import Role

THEMES = ("Complex needs", "Workforce")
MEMBERS = 60  # a community, at national scale
MIX = {Background.PRACTICE: 0.55, Background.RESEARCH: 0.15, Background.LIVED_EXPERIENCE: 0.15,
       Background.CARER: 0.15}  # fmt: skip
POSTS_PER_MONTH = (3, 10)
BOOKED = 0.45  # of members, for each meeting
ATTENDED = 0.8  # of bookings
RULES = "Be kind. Keep what people share in confidence. Plain English. No selling."


def add_communities(b) -> None:
    rng = random.Random(f"{b.seed}-communities")
    now = b.now
    year_ago = now - timedelta(days=365)
    staff_id = b.staff[0]["id"]
    by_role: dict[Role, list[int]] = {}
    for (_org, role), people in b.people.items():
        by_role.setdefault(role, []).extend(p["id"] for p in people if "id" in p)
    alumni = [a["holder_id"] for a in b.awards]
    practice = alumni + by_role.get(Role.PSW, [])
    research = by_role.get(Role.SUPERVISOR, [])
    scale = max(6, min(MEMBERS, len(alumni) // 4))  # members a community

    # lived experience and carers: applicants who were not awarded a place and line
    # managers stand in for them (the national set's people all have an employer; the
    # demo's carers have none)
    others = by_role.get(Role.APPLICANT, []) + by_role.get(Role.LINE_MANAGER, [])
    public_ids = sorted(set(others) - set(alumni))

    bench_member = _bench_member(b)

    communities, rules, members = [], [], []
    for region, _ in b.regions:
        for theme in THEMES:
            c = {"name": f"{theme} ({region})", "theme": theme, "rules_version": 1,
                 "description": f"The {theme.lower()} community of practice for the {region}.",
                 "created_at": year_ago, "created_by_id": staff_id}  # fmt: skip
            communities.append(c)
    b.assign_ids(Community.__table__, communities)
    b.insert(Community.__table__, communities)
    for c in communities:
        rules.append({"community_id": c["id"], "version": 1, "text": RULES,
                      "created_at": year_ago, "created_by_id": staff_id})  # fmt: skip
        pools = {
            Background.PRACTICE: practice,
            Background.RESEARCH: research,
            Background.LIVED_EXPERIENCE: public_ids,
            Background.CARER: public_ids,
        }
        chosen: set[int] = set()
        for bg, share in MIX.items():
            pool = pools[bg]
            for uid in rng.sample(pool, min(len(pool), max(1, round(scale * share)))):
                if uid in chosen:
                    continue
                chosen.add(uid)
                joined = b.between(year_ago, now)
                members.append({
                    "community_id": c["id"], "user_id": uid, "status": MemberStatus.MEMBER,
                    "facilitator": len(chosen) <= 2, "background": bg, "role_text": "",
                    "organisation_text": "", "show_name": rng.random() < 0.9,
                    "show_role": True, "show_organisation": False, "digest": rng.random() < 0.6,
                    "rules_version": 1, "rules_accepted_at": joined, "requested_at": joined,
                    "decided_at": joined, "decided_by_id": staff_id, "left_at": None,
                })  # fmt: skip
        if region_first(b, c) and bench_member is not None and bench_member not in chosen:
            members.append(_member_row(c["id"], bench_member, year_ago, staff_id))
    b.assign_ids(GroundRules.__table__, rules)
    b.insert(GroundRules.__table__, rules)
    b.assign_ids(CommunityMember.__table__, members)
    b.insert(CommunityMember.__table__, members)
    _activity(b, rng, communities, members, staff_id)


def _bench_member(b) -> int | None:
    """The named member bench/run.py signs in as (national.NAMED["member"]): the first
    active person who registered and never applied, renamed by email only, so the set's
    sizes stay as they are and no random draw moves. A carer in both communities of the
    first region, facilitating neither."""
    from app.accounts.models import User, UserStatus
    from app.demo.national import NAMED

    for u in b.users:
        if (
            u["_roles"] == [Role.APPLICANT]
            and "_applied" not in u
            and u["status"] == UserStatus.ACTIVE
            and "id" in u
        ):
            u["email"] = NAMED["member"]
            b.conn.execute(update(User.__table__).where(User.__table__.c.id == u["id"]).values(
                email=NAMED["member"]))  # fmt: skip
            return u["id"]
    return None


def region_first(b, c: dict) -> bool:
    return c["name"].endswith(f"({b.regions[0][0]})")


def _member_row(community_id: int, uid: int, year_ago: datetime, staff_id: int) -> dict:
    joined = year_ago + timedelta(days=30)
    return {
        "community_id": community_id, "user_id": uid, "status": MemberStatus.MEMBER,
        "facilitator": False, "background": Background.CARER, "role_text": "Carer",
        "organisation_text": "", "show_name": True, "show_role": True,
        "show_organisation": False, "digest": True, "rules_version": 1,
        "rules_accepted_at": joined, "requested_at": joined, "decided_at": joined,
        "decided_by_id": staff_id, "left_at": None,
    }  # fmt: skip


def _activity(b, rng, communities, members, staff_id) -> None:
    now = b.now
    by_c: dict[int, list[dict]] = {}
    for m in members:
        by_c.setdefault(m["community_id"], []).append(m)
    meetings, bookings, posts, replies = [], [], [], []
    rounds, topics, votes, requests, volunteers = [], [], [], [], []
    for c in communities:
        ms = by_c.get(c["id"], [])
        if not ms:
            continue
        for k in range(-11, 2):  # a year back, this month and next
            first = (now.replace(day=1) + timedelta(days=32 * k)).replace(day=1)
            starts = datetime.combine(first + timedelta(days=rng.randrange(7, 21)), time(13))
            meetings.append({
                "community_id": c["id"], "kind": MeetingKind.MEETING if k % 6 else
                MeetingKind.TRAINING, "starts_at": starts, "minutes": 90,
                "topic": f"Session {k + 12}", "speaker_name": "Invited speaker",
                "join_link": "https://meet.example.org/cop", "notes": "",
                "created_at": starts - timedelta(days=30), "_ms": ms,
            })  # fmt: skip
            for _ in range(rng.randint(*POSTS_PER_MONTH)):
                at = min(now, starts + timedelta(days=rng.randrange(-15, 15)))
                posts.append({
                    "community_id": c["id"], "author_id": rng.choice(ms)["id"],
                    "kind": rng.choice(list(PostKind)), "title": "A post", "body": "Text",
                    "created_at": at, "_reply": rng.random() < 0.5, "_ms": ms,
                })  # fmt: skip
        rounds.append({
            "community_id": c["id"], "title": "Priorities", "status": RoundStatus.CLOSED,
            "opened_at": now - timedelta(days=300), "closed_at": now - timedelta(days=280),
            "_ms": ms,
        })  # fmt: skip
        for r in range(rng.randint(1, 3)):
            requests.append({
                "community_id": c["id"], "requester_id": ms[r % len(ms)]["id"],
                "kind": rng.choice(list(SupportKind)), "title": "A bid", "description": "Help",
                "deadline": (now + timedelta(days=rng.randrange(-60, 60))).date(),
                "funded": rng.random() < 0.6, "created_at": now - timedelta(days=70), "_ms": ms,
            })  # fmt: skip
    b.assign_ids(CommunityMeeting.__table__, meetings)
    b.insert(CommunityMeeting.__table__, meetings)
    for mt in meetings:
        past = mt["starts_at"] < now
        for m in rng.sample(mt["_ms"], max(1, round(len(mt["_ms"]) * BOOKED))):
            bookings.append({
                "meeting_id": mt["id"], "member_id": m["id"], "captions": rng.random() < 0.1,
                "speaking_aid": False, "text_reader": rng.random() < 0.05,
                "support_visit": rng.random() < 0.03, "access_note": "",
                "attended": (rng.random() < ATTENDED) if past else None,
                "booked_at": mt["starts_at"] - timedelta(days=5),
            })  # fmt: skip
    b.assign_ids(MeetingBooking.__table__, bookings)
    b.insert(MeetingBooking.__table__, bookings)
    b.assign_ids(Post.__table__, posts)
    b.insert(Post.__table__, posts)
    for p in posts:
        if p["_reply"]:
            replies.append({
                "community_id": p["community_id"], "parent_id": p["id"],
                "author_id": rng.choice(p["_ms"])["id"], "kind": None, "title": "",
                "body": "A reply", "created_at": min(now, p["created_at"] + timedelta(days=1)),
            })  # fmt: skip
    b.assign_ids(Post.__table__, replies)
    b.insert(Post.__table__, replies)
    b.assign_ids(PriorityRound.__table__, rounds)
    b.insert(PriorityRound.__table__, rounds)
    for r in rounds:
        for t in range(4):
            topics.append({"round_id": r["id"], "title": f"Topic {t + 1}", "description": "",
                           "proposed_by_id": r["_ms"][t % len(r["_ms"])]["id"],
                           "created_at": r["opened_at"], "_ms": r["_ms"]})  # fmt: skip
    b.assign_ids(PriorityTopic.__table__, topics)
    b.insert(PriorityTopic.__table__, topics)
    for t in topics:
        for m in rng.sample(t["_ms"], rng.randrange(0, len(t["_ms"]) // 2 + 1)):
            votes.append({"topic_id": t["id"], "member_id": m["id"],
                          "created_at": now - timedelta(days=290)})  # fmt: skip
    b.assign_ids(PriorityVote.__table__, votes)
    b.insert(PriorityVote.__table__, votes)
    b.assign_ids(SupportRequest.__table__, requests)
    b.insert(SupportRequest.__table__, requests)
    for req in requests:
        helpers = [m for m in req["_ms"] if m["id"] != req["requester_id"]]
        for m in rng.sample(helpers, min(len(helpers), rng.randint(1, 2))):
            pay = req["funded"] and rng.random() < 0.7
            volunteers.append({
                "request_id": req["id"], "member_id": m["id"], "minutes": rng.randrange(30, 300),
                "payment_pence": rng.choice((2500, 5000, 7500)) if pay else None,
                "payment_recorded_at": now if pay else None,
                "payment_recorded_by_id": staff_id if pay else None,
                "paid_at": now if pay and rng.random() < 0.5 else None,
                "created_at": req["created_at"],
            })  # fmt: skip
    b.assign_ids(SupportVolunteer.__table__, volunteers)
    b.insert(SupportVolunteer.__table__, volunteers)
