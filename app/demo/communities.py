"""Demo communities of practice, after the Kent Research Partnership's two: "Complex
needs" and "Workforce", chosen at a priority-setting event, each meeting monthly online
with an invited speaker. Members from practice (the programme's alumni, managers, PSWs),
research (the supervisors), lived experience and unpaid carers (people with no employer,
carer@demo.test among them). A year of monthly meetings with attendance, notes and
actions, training for new members, a live workspace (one post hidden for breaking the
ground rules), a closed and an open priority round, research idea feedback and funded
involvement support with payments to make.

Everything goes through the real services, except that past posts and bookings are
dated in the past; a database that already has "Complex needs" is left alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.communities import meetings, priorities, services, support
from app.communities.models import (
    Background,
    Community,
    CommunityMeeting,
    MeetingBooking,
    MeetingKind,
    PostKind,
    SupportKind,
)
from app.core.clock import today
from app.core.db import utcnow
from app.extensions import db

B = Background
RULES = {
    "Complex needs": (
        "1. Everyone's experience counts: practice, research and living it.\n"
        "2. Listen, and let people finish. One person speaks at a time.\n"
        "3. Use plain words and explain any jargon or abbreviation.\n"
        "4. What people share about their own lives stays in the meeting.\n"
        "5. Never share details that could identify someone who draws on care.\n"
        "6. Disagree with ideas, not with people.\n"
        "7. No selling or recruiting without the facilitators' agreement."
    ),
    "Workforce": (
        "1. Be respectful and kind: we come from different roles and places.\n"
        "2. Keep what colleagues share about their workplaces in confidence.\n"
        "3. Plain English, please: explain any acronym the first time.\n"
        "4. No names of people who use services, ever.\n"
        "5. Share opportunities freely; no advertising of paid services.\n"
        "6. Facilitators may hide a post that breaks these rules."
    ),
}
ABOUT = {
    "Complex needs": (
        "Multiple exclusion, homelessness, substance use and mental health",
        "For anyone working with, researching or living with complex needs: how services "
        "can work together for people who fall between them. We meet online once a month "
        "with an invited speaker and a facilitated discussion.",
    ),
    "Workforce": (
        "Recruitment, retention, wellbeing and development of the social care workforce",
        "For practitioners, managers, researchers, carers and people who draw on care who "
        "want a stable, skilled and supported social care workforce. Monthly online "
        "meetings with a speaker, and a shared workspace between them.",
    ),
}
TOPICS = {
    "Complex needs": [
        ("Multiple exclusion homelessness: what the research says", "Dr Ruth Evans", True),
        ("Trauma-informed practice in adult social care", "Kim Adebayo, Open Door Trust", False),
        ("Making every adult matter: coordinated support", "", False),
        ("Lived experience in commissioning", "Jo Patel, Experts by Experience Network", False),
        ("Hoarding and self-neglect: safeguarding without blame", "", False),
        ("Dual diagnosis and hospital discharge", "Dr Sean Mulligan, NHS trust", False),
        ("Women, homelessness and safe accommodation", "", False),
        ("Writing a research question from practice", "Dr Ruth Evans", True),
        ("Peer research: doing it well and paying people fairly", "", False),
        ("Vicarious trauma and supervision", "Chris Walker", True),
        ("Sharing findings so services change", "", False),
        ("Our priorities for next year", "", False),
    ],
    "Workforce": [
        ("Why social workers leave, and why they stay", "Prof Lena Hart, University", False),
        ("International recruitment: ethics and support", "", False),
        ("Caseload weighting tools", "", False),
        ("Wellbeing and burnout in care work", "Dr Owen Price", False),
        ("Career pathways for care workers", "Skills for Care speaker", False),
        ("Research-minded practice: making time for it", "Chris Walker", True),
        ("Pre-doctoral fellowships for practitioners", "", False),
        ("Supervision that works", "", False),
        ("Carers as part of the workforce", "Maggie Doyle", True),
        ("Digital tools in practice", "", False),
        ("Retention data: what to collect", "", False),
        ("Priorities for next year", "", False),
    ],
}
# (email, name, background, role shown, organisation shown, communities)
PEOPLE = [
    ("carer@demo.test", "Maggie Doyle", B.CARER, "Carer for my husband", "", "CW"),
    ("carer2@demo.test", "Tom Barker", B.CARER, "Parent carer", "", "C"),
    ("carer3@demo.test", "Rita Singh", B.CARER, "Carer for my mother", "", "W"),
    ("lived1@demo.test", "Dean Walsh", B.LIVED_EXPERIENCE, "Peer mentor", "", "C"),
    ("lived2@demo.test", "Sade Okoro", B.LIVED_EXPERIENCE, "Expert by experience", "", "CW"),
    ("lived3@demo.test", "Kev Murray", B.LIVED_EXPERIENCE, "", "", "C"),
    ("lived4@demo.test", "Ann Fielding", B.LIVED_EXPERIENCE, "Draws on home care", "", "W"),
]
# existing demo people: (email, background, role shown, communities, facilitates)
STAFF_SIDE = [
    ("supervisor@demo.test", B.RESEARCH, "Senior lecturer", "C", "C"),
    ("coach@demo.test", B.PRACTICE, "Programme coach", "W", "W"),
    ("psw@demo.test", B.PRACTICE, "Principal Social Worker", "W", ""),
    ("holder@demo.test", B.PRACTICE, "Social worker", "CW", ""),
    ("manager@demo.test", B.PRACTICE, "Team manager", "W", ""),
    ("supervisor1@demo.test", B.RESEARCH, "Researcher", "C", ""),
    ("supervisor2@demo.test", B.RESEARCH, "Researcher", "W", ""),
    ("supervisor3@demo.test", B.RESEARCH, "Lecturer", "CW", ""),
    ("psw1@demo.test", B.PRACTICE, "Principal Social Worker", "C", ""),
    ("manager2@demo.test", B.PRACTICE, "Service manager", "C", ""),
]
ALUMNI = [f"holder2022-{k}@demo.test" for k in range(1, 8)] + [
    f"holder2023-{k}@demo.test" for k in range(1, 12)
]
POSTS = {
    "Complex needs": [
        (
            PostKind.RESOURCE,
            "Report: people facing multiple exclusion",
            "A clear summary of what helps people facing multiple exclusion homelessness: "
            "https://www.example.org/multiple-exclusion-summary",
        ),
        (
            PostKind.THOUGHT,
            "After last month's talk",
            "What struck me was how often people are passed between services. Has anyone "
            "tried a shared plan across housing, health and social care?",
        ),
        (
            PostKind.OPPORTUNITY,
            "Peer researchers wanted (paid)",
            "A university team is looking for two peer researchers with lived experience of "
            "homelessness. Paid at the involvement rate.",
        ),
        (
            PostKind.EVENT,
            "Free webinar on trauma-informed care",
            "Next Thursday, 12:30 to 13:30, online. Captions provided.",
        ),
        (
            PostKind.THOUGHT,
            "Plain English summaries",
            "Happy to read anyone's plain English summary before they submit a bid.",
        ),
        (
            PostKind.RESOURCE,
            "Slides from the trauma-informed practice talk",
            "The speaker kindly shared her slides: they are linked from the meeting notes.",
        ),
        (
            PostKind.THOUGHT,
            "What does 'complex' mean to you?",
            "As someone who has used services, I never felt complex: the system was.",
        ),
        (
            PostKind.OPPORTUNITY,
            "Conference call for abstracts",
            "A practice research conference wants short talks from practitioners and people "
            "with lived experience: https://www.example.org/call-for-abstracts",
        ),
        (
            PostKind.EVENT,
            "Hoarding awareness session",
            "An hour online for anyone supporting people who hoard. Free, captions on.",
        ),
        (
            PostKind.THOUGHT,
            "Hospital discharge and housing",
            "Our team found people being discharged to no fixed abode. Is anyone researching "
            "this? I might put in for a pre-doctoral fellowship.",
        ),
    ],
    "Workforce": [
        (
            PostKind.RESOURCE,
            "Retention toolkit",
            "A free toolkit on keeping experienced social workers: "
            "https://www.example.org/retention-toolkit",
        ),
        (
            PostKind.OPPORTUNITY,
            "Pre-doctoral fellowship round open",
            "Local authority practitioners can apply for a pre-doctoral fellowship. Ask in the "
            "meeting if you want to talk it through.",
        ),
        (
            PostKind.THOUGHT,
            "Supervision time",
            "In our team supervision keeps being cancelled. How do others protect it?",
        ),
        (
            PostKind.EVENT,
            "Carers' week event",
            "Join us at the library on Saturday: carers talking about care work.",
        ),
        (
            PostKind.THOUGHT,
            "Buy our training package",
            "Special offer on our paid training, message me.",
        ),  # hidden: advertising
        (
            PostKind.RESOURCE,
            "Newly qualified social workers: a short review",
            "A four-page summary of what helps newly qualified staff stay: "
            "https://www.example.org/asye-review",
        ),
        (
            PostKind.THOUGHT,
            "Care workers are the workforce too",
            "Our meetings mostly talk about social workers. Could the next one be about "
            "home care workers?",
        ),
        (
            PostKind.OPPORTUNITY,
            "Practice research lead role",
            "Our authority is recruiting a practice research lead (two days a week).",
        ),
        (
            PostKind.EVENT,
            "Wellbeing walk and talk",
            "A monthly lunchtime walk for anyone in social care, in the park by the offices.",
        ),
        (
            PostKind.THOUGHT,
            "Retention figures",
            "Does anyone collect why people leave in the first two years? We want to compare.",
        ),
    ],
}
REPLIES = [
    "Thank you for sharing this.",
    "We tried something similar last year: happy to talk about it at the next meeting.",
    "As a carer, this matches what I have seen.",
    "Could we invite them as a speaker?",
]


def _month(d: date, k: int) -> date:
    """The second Tuesday of the month `k` months after `d`'s month."""
    y, m = divmod(d.month - 1 + k, 12)
    first = date(d.year + y, m + 1, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def load_communities(users) -> int:
    """Returns the number of communities made (0 when they exist)."""
    if db.session.scalar(select(Community.id).where(Community.name == "Complex needs")):
        return 0
    staff = _user("staff@demo.test")
    made = {}
    for name in ("Complex needs", "Workforce"):
        theme, about = ABOUT[name]
        made[name[0]] = services.create_community(staff, name, theme, about, RULES[name])
    members: dict[str, list] = {"C": [], "W": []}

    def join(user, bg, role, org, letters, facilitates="", show_org=True, show_name=True):
        for letter in letters:
            c = made[letter]
            m = services.ask_to_join(
                c,
                user,
                services.Profile(
                    bg, role, org, show_name=show_name, show_organisation=bool(org) and show_org
                ),
                True,
                c.rules_version,
            )
            services.decide(m, staff, True)
            if letter in facilitates:
                services.set_facilitator(m, staff, True)
            members[letter].append(m)

    for email, bg, role, letters, fac in STAFF_SIDE:
        u = _user(email)
        if u is not None:
            org = u.memberships[0].organisation.name if u.memberships else ""
            join(u, bg, role, org, letters, fac)
    for k, email in enumerate(ALUMNI):
        u = _user(email)
        if u is not None:
            org = u.memberships[0].organisation.name if u.memberships else ""
            letters = "CW" if k % 3 == 0 else "CW"[k % 2]
            join(
                u, B.PRACTICE, "Social worker, programme alumnus", org, letters, show_org=k % 4 != 0
            )
    for email, name, bg, role, org, letters in PEOPLE:
        u = users.get(email, name, ["applicant"], [])  # no employer
        join(u, bg, role, org, letters, show_name=email != "lived3@demo.test")
    # one waiting for a facilitator in each community
    for email, name, letter in (
        ("lived5@demo.test", "Grace Lomax", "C"),
        ("carer4@demo.test", "Ian Holt", "W"),
    ):
        u = users.get(email, name, ["applicant"], [])
        c = made[letter]
        services.ask_to_join(
            c,
            u,
            services.Profile(B.CARER if "carer" in email else B.LIVED_EXPERIENCE),
            True,
            c.rules_version,
        )
    db.session.flush()
    now = utcnow()
    start = today()
    for letter, c in made.items():
        ms = members[letter]
        fac = next(m for m in ms if m.facilitator)
        _meetings(c, fac, ms, TOPICS[c.name], start, now)
        _workspace(c, fac, ms, now)
    _priorities(made, members)
    _support(made, members, staff, start)
    db.session.flush()
    return len(made)


def _meetings(c, fac, ms, topics, start, now) -> None:
    link = f"https://meet.example.org/{c.name.lower().replace(' ', '-')}"
    speakers = {u.name: u for u in (m.user for m in ms)}
    for k, (topic, speaker, has_account) in enumerate(topics):
        day = _month(start, k - 10)  # ten months back, this month and next
        user = speakers.get(speaker) if has_account else None
        meeting = meetings.schedule(
            c,
            fac.user,
            meetings.MeetingData(
                MeetingKind.MEETING,
                day,
                time(14, 0),
                90,
                topic,
                speaker_name="" if user else speaker,
                speaker_user_id=user.id if user else None,
                join_link=link,
            ),
        )
        _bookings(meeting, fac, ms, k, now)
    for k, topic in ((-6, "How to join an online meeting"), (1, "Using the workspace")):
        meeting = meetings.schedule(
            c,
            fac.user,
            meetings.MeetingData(
                MeetingKind.TRAINING,
                _month(start, k) + timedelta(days=2),
                time(11, 0),
                60,
                topic,
                speaker_name=fac.user.name,
                join_link=link,
            ),
        )
        _bookings(
            meeting, fac, [m for m in ms if m.background in (B.CARER, B.LIVED_EXPERIENCE)], k, now
        )


def _bookings(meeting: CommunityMeeting, fac, ms, k: int, now: datetime) -> None:
    chosen = [m for i, m in enumerate(ms) if (i + k) % 3 != 0]
    if meeting.starts_at > now:
        for i, m in enumerate(chosen):
            needs = set()
            if m.background == B.LIVED_EXPERIENCE:
                needs = {"captions"} if i % 2 else {"support_visit", "text_reader"}
            elif m.background == B.CARER and i % 2:
                needs = {"speaking_aid"}
            meetings.book(meeting, m, needs, "Large print papers, please" if i == 1 else "")
        return
    bookings = []
    for i, m in enumerate(chosen):
        b = MeetingBooking(
            meeting_id=meeting.id,
            member_id=m.id,
            captions=m.background == B.LIVED_EXPERIENCE and i % 2 == 1,
            booked_at=meeting.starts_at - timedelta(days=5),
        )
        db.session.add(b)
        bookings.append(b)
    db.session.flush()
    meetings.record_attendance(meeting, fac.user, {b.id for i, b in enumerate(bookings) if i % 5})
    meetings.save_notes(
        meeting,
        fac.user,
        f"{meeting.speaker or 'The facilitators'} opened on {meeting.topic.lower()}. "
        "Members from practice, research and lived experience discussed what it means "
        "for their work and lives, and what research could help.",
    )
    meetings.add_action(
        meeting,
        fac.user,
        "Share the slides and links in the workspace",
        fac.user.name,
        meeting.starts_at.date() + timedelta(days=7),
    )


def _workspace(c, fac, ms, now) -> None:
    for k, (kind, title, body) in enumerate(POSTS[c.name]):
        author = ms[(k * 5 + 3) % len(ms)]
        post = services.add_post(c, author, body, kind, title)
        day = (now - timedelta(days=320 - k * 35)).date()
        post.created_at = datetime.combine(day, time(9 + k % 8, 5 * k % 60))
        for r in range(k % 3):
            reply = services.add_post(
                c, ms[(k + r * 7 + 1) % len(ms)], REPLIES[(k + r) % 4], parent=post
            )
            reply.created_at = post.created_at + timedelta(days=r + 1)
        if title.startswith("Buy our training"):
            services.hide_post(post, fac.user, "Rule 5: no advertising of paid services")


def _priorities(made, members) -> None:
    c, ms = made["C"], members["C"]
    fac = next(m for m in ms if m.facilitator)
    r = priorities.open_round(c, fac.user, "Priorities for next year")
    topics = [
        priorities.propose(r, ms[i], t, "")
        for i, t in enumerate(
            [
                "Housing and social care together",
                "Peer support after hospital",
                "Young people leaving care with complex needs",
                "Hoarding and self-neglect",
            ]
        )
    ]
    for i, m in enumerate(ms):
        for j, t in enumerate(topics):
            if (i + j) % (j + 2) == 0:
                priorities.vote(t, m)
    priorities.close_round(r, fac.user)
    w, wms = made["W"], members["W"]
    wfac = next(m for m in wms if m.facilitator)
    r2 = priorities.open_round(w, wfac.user, "Themes for the spring meetings")
    for i, t in enumerate(["Newly qualified social workers", "Care workers' pay and status"]):
        topic = priorities.propose(r2, wms[i], t, "")
        for m in wms[i::3]:
            priorities.vote(topic, m)


def _support(made, members, staff, start) -> None:
    ms = members["C"]
    holder = next((m for m in ms if m.user.email == "holder@demo.test"), ms[0])
    carer = next(m for m in ms if m.user.email == "carer@demo.test")
    lived = next(m for m in ms if m.background == B.LIVED_EXPERIENCE)
    idea = support.ask(
        made["C"],
        holder,
        SupportKind.IDEA_FEEDBACK,
        "Discharge from hospital for people who are homeless",
        "I would like feedback on my research idea before I apply for a pre-doctoral fellowship.",
        start + timedelta(days=21),
        start,
    )
    v = support.volunteer(idea, lived, start)
    support.log_time(v, lived, 45)
    bid = support.ask(
        made["C"],
        ms[5],
        SupportKind.PLAIN_SUMMARY,
        "Peer support after hospital: a bid",
        "Please help us write the plain English summary of our funding bid.",
        start + timedelta(days=10),
        start,
        funded=True,
    )
    v1 = support.volunteer(bid, carer, start)
    support.log_time(v1, carer, 120)
    support.record_payment(v1, staff, 5000)
    v2 = support.volunteer(bid, lived, start)
    support.log_time(v2, lived, 90)
    review = support.ask(
        made["W"],
        members["W"][2],
        SupportKind.APPLICATION_REVIEW,
        "Retention of newly qualified social workers",
        "A public involvement review of our "
        "application: is it clear why it matters to people who draw on care?",
        start + timedelta(days=30),
        start,
        funded=True,
    )
    w_carer = next(m for m in members["W"] if m.user.email == "carer@demo.test")
    v3 = support.volunteer(review, w_carer, start)
    support.log_time(v3, w_carer, 180)
    support.record_payment(v3, staff, 7500)
    support.mark_paid(v3, staff)
