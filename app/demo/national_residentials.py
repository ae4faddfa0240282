"""The national data set's residential workshops: each cohort's three two-day workshops
(on the days add_cohorts chose, which the ledgers already hold), a short timetable, every
award holder's reply, and the registers of the days gone by, each present mark pointing at
the residential day in the holder's ledger (a day missing from the ledger is apologies or
absence). Needs older than 30 days after a workshop are cleared, as the nightly job does.
Finished cohorts had their presentation day: invitations to each holder's PSW, line
manager and current supervisor (most replied), and a published running order."""

from __future__ import annotations

from collections import defaultdict
from datetime import time, timedelta

from sqlalchemy import select

from app.release.models import DayKind
from app.residentials.models import (
    NEEDS_KEPT_DAYS,
    Attendance,
    Invitation,
    Mark,
    PresentationDay,
    PresentationSlot,
    ProgrammeStatus,
    Registration,
    Reply,
    Workshop,
    WorkshopSession,
)
from app.supervision.models import Allocation, PoolKind

VENUES = [
    ("Lakeside Conference Centre", "Newby Bridge Road\nWindermere"),
    ("Moorland Hall", "Hall Lane\nHaworth"),
    ("Riverside Retreat", "Quay Street\nTruro"),
    ("Castle View Centre", "Castle Road\nAlnwick"),
]
SESSIONS = [
    (time(10), time(12), "Research methods workshop"),
    (time(13, 30), time(15, 30), "Group coaching"),
]
DIETARY = ["Vegetarian", "Vegan", "Gluten free", "Halal", "No nuts"]


def add_residentials(b) -> None:
    from app.demo.national import HISTORIC, RUNNING

    rng = b.rng
    by_cohort: dict[int, list[dict]] = defaultdict(list)
    for a in b.awards:
        by_cohort[a["cohort_id"]].append(a)
    ledger = {
        (r["award_id"], r["day"]): r["id"]
        for r in b.release_days
        if r["kind"] == DayKind.RESIDENTIAL
    }
    supervisor = dict(
        b.conn.execute(
            select(Allocation.award_id, Allocation.user_id).where(
                Allocation.kind == PoolKind.SUPERVISOR, Allocation.ended_on.is_(None)
            )
        ).all()
    )
    questions = {a["id"]: a.get("research_question", "") for a in b.applications}
    workshops, sessions, marks, regs = [], [], [], []
    days, slots, invitations = [], [], []

    for cohort in b.cohorts:
        planned = cohort["_residentials"]
        if not planned:
            continue
        venue = VENUES[cohort["_region"] % len(VENUES)]
        created = b.at_day(cohort["programme_start"] - timedelta(days=20))
        mine = []
        for n, first in enumerate(planned[::2], start=1):
            w = {
                "cohort_id": cohort["id"],
                "number": n,
                "venue": venue[0],
                "address": venue[1],
                "starts_on": first,
                "ends_on": first + timedelta(days=1),
                "arrival_time": time(9, 30),
                "departure_time": time(16),
                "created_at": created,
            }
            workshops.append(w)
            mine.append(w)
        cohort["_workshops"] = mine
    b.assign_ids(Workshop.__table__, workshops)

    for cohort in b.cohorts:
        awards = by_cohort.get(cohort["id"], [])
        phase = cohort["_phase"]
        for w in cohort.get("_workshops", []):
            staff = rng.choice(b.staff)["id"]
            for offset in (0, 1):
                for start, end, title in SESSIONS:
                    sessions.append(
                        {
                            "workshop_id": w["id"],
                            "day": w["starts_on"] + timedelta(days=offset),
                            "starts_at": start,
                            "ends_at": end,
                            "title": title,
                            "speaker": "",
                            "room": "Main room",
                            "description": "",
                        }
                    )
            if phase not in (HISTORIC, RUNNING):
                continue
            cleared = w["ends_on"] + timedelta(days=NEEDS_KEPT_DAYS) < b.today
            for a in awards:
                needs = rng.random() < 0.3
                regs.append(
                    {
                        "workshop_id": w["id"],
                        "award_id": a["id"],
                        "attending": True,
                        "accommodation": "",
                        "dietary": rng.choice(DIETARY) if needs and not cleared else "",
                        "access": "",
                        "updated_at": b.between(a["awarded_at"], b.at_day(w["starts_on"])),
                        "needs_cleared_at": b.at_day(w["ends_on"] + timedelta(days=31), 2)
                        if cleared
                        else None,
                    }
                )
                for offset in (0, 1):
                    day = w["starts_on"] + timedelta(days=offset)
                    if day >= b.today:
                        continue
                    taken = ledger.get((a["id"], day))
                    mark = Mark.PRESENT if taken else rng.choice([Mark.APOLOGIES, Mark.ABSENT])
                    marks.append(
                        {
                            "workshop_id": w["id"],
                            "award_id": a["id"],
                            "day": day,
                            "mark": mark,
                            "reason": "Unwell" if mark == Mark.APOLOGIES else "",
                            "release_day_id": taken,
                            "marked_by_id": staff,
                            "marked_at": b.at_day(day, 17),
                            "by_qr": bool(taken) and rng.random() < 0.3,
                        }
                    )
        if phase != HISTORIC or not awards or not cohort.get("_workshops"):
            continue
        on = cohort["_workshops"][-1]["ends_on"]
        staff = b.staff[0]["id"]
        day = {
            "cohort_id": cohort["id"],
            "status": ProgrammeStatus.PUBLISHED,
            "published_at": b.at_day(on - timedelta(days=14)),
            "published_by_id": staff,
        }
        days.append(day)
        day["_awards"] = awards
        people: dict[int, list[str]] = {}
        for a in awards:
            for label, uid in (
                ("Principal Social Worker", a["psw_id"]),
                ("line manager", a["line_manager_id"]),
                ("academic supervisor", supervisor.get(a["id"])),
            ):
                if uid is not None:
                    people.setdefault(uid, []).append(f"{label} for award holder {a['id']}")
        sent = b.at_day(on - timedelta(days=40))
        for uid, about in people.items():
            answer = rng.choices([Reply.ATTENDING, Reply.NOT_ATTENDING, Reply.WAITING], [6, 2, 2])[
                0
            ]
            invitations.append(
                {
                    "cohort_id": cohort["id"],
                    "invitee_id": uid,
                    "about": "; ".join(about)[:500],
                    "reply": answer,
                    "reply_count": 0 if answer == Reply.WAITING else 1,
                    "sent_at": sent,
                    "replied_at": None
                    if answer == Reply.WAITING
                    else sent + timedelta(days=rng.randint(1, 20)),
                    "sent_by_id": staff,
                }
            )

    b.insert(Workshop.__table__, workshops)
    b.insert(WorkshopSession.__table__, sessions)
    b.insert(Registration.__table__, regs)
    b.insert(Attendance.__table__, marks)
    b.assign_ids(PresentationDay.__table__, days)
    for day in days:
        start = time(10)
        for a in day["_awards"]:
            minutes = start.hour * 60 + start.minute + 20
            end = time(minutes // 60 % 24, minutes % 60)
            if end <= start:
                break
            slots.append(
                {
                    "day_id": day["id"],
                    "award_id": a["id"],
                    "starts_at": start,
                    "ends_at": end,
                    "title": (questions.get(a["application_id"]) or "Title to be confirmed")[:300],
                }
            )
            start = end
    b.insert(PresentationDay.__table__, days)
    b.insert(PresentationSlot.__table__, slots)
    b.insert(Invitation.__table__, invitations)
