"""The national data set's supervision and coaching: each running or finished cohort's
pool of supervisors and coaches, one supervisor and one coach for every award holder
(about one in twenty replaced mid-year, as in the evaluation), monthly-ish supervision
meetings, individual and group coaching, three-way meetings and the onboarding checklist.
About one running holder in ten has had no supervision for over six weeks, so the
contact report flags someone at every scale. The named supervisor and coach support the
named award holder."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from app.core.roles import Role
from app.supervision.models import (
    Allocation,
    Attendee,
    Meeting,
    MeetingKind,
    OnboardingItem,
    OnboardingTick,
    PoolKind,
    PoolMember,
)

SUPERVISOR_LOAD = 3  # award holders per supervisor in a cohort's pool
REPLACED = 0.05
QUIET = 0.1  # running holders with no supervision in the last six weeks
GROUP_SESSIONS = 3  # per cohort (a session lists every holder of the cohort)
EXPERTISE = [
    "Qualitative methods, interviews",
    "Safeguarding adults",
    "Children in care, participatory research",
    "Mental health social work",
    "Evaluation and mixed methods",
]


def add_supervision(b) -> None:
    from app.demo.national import HISTORIC, RUNNING

    by_cohort: dict[int, list[dict]] = defaultdict(list)
    for a in b.awards:
        if a["_cohort"]["_phase"] in (HISTORIC, RUNNING):
            by_cohort[a["_cohort"]["id"]].append(a)
    supervisors = [u for u in b.users if Role.SUPERVISOR in u["_roles"]]
    coaches = [u for u in b.users if Role.COACH in u["_roles"]]
    named_sup, named_coach = b.named.get("supervisor"), b.named.get("coach")
    holder = b.named.get("holder")
    staff_id = b.staff[0]["id"]
    pools, allocations, meetings, attendees, ticks = [], [], [], [], []

    for cohort in b.cohorts:
        awards = by_cohort.get(cohort["id"], [])
        if not awards:
            continue
        start, end = cohort["programme_start"], cohort["programme_end"]
        last_day = min(end, b.today)
        created = b.at_day(start - timedelta(days=30))
        # the pool: enough supervisors for the cohort at three each, every coach
        k = min(len(supervisors), -(-len(awards) // SUPERVISOR_LOAD) + 1)
        chosen = b.rng.sample(supervisors, k)
        if any(a["_holder"] is holder for a in awards) and named_sup not in chosen:
            chosen[0] = named_sup
        sup_pool = []
        for u in chosen:
            sup_pool.append(
                {
                    "cohort_id": cohort["id"],
                    "user_id": u["id"],
                    "kind": PoolKind.SUPERVISOR,
                    "university_id": u["_orgs"][0]["id"],
                    "expertise": b.rng.choice(EXPERTISE),
                    "capacity": SUPERVISOR_LOAD + 1,
                    "created_at": created,
                }
            )
        coach_pool = [
            {
                "cohort_id": cohort["id"],
                "user_id": u["id"],
                "kind": PoolKind.COACH,
                "university_id": None,
                "expertise": "Coaching",
                "capacity": -(-len(awards) // len(coaches)) + 2,
                "created_at": created,
            }
            for u in coaches
        ]
        b.assign_ids(PoolMember.__table__, sup_pool + coach_pool)
        pools += sup_pool + coach_pool
        # the named holder gets the named supervisor and coach
        ordered = sorted(awards, key=lambda a: a["_holder"] is not holder)

        def _alloc(a, member, kind, since, until=None, why="", end_why=""):
            allocations.append(
                {
                    "award_id": a["id"],
                    "pool_id": member["id"],
                    "user_id": member["user_id"],
                    "kind": kind,
                    "started_on": since,
                    "ended_on": until,
                    "reason": why,
                    "end_reason": end_why,
                    "override_reason": "",
                    "allocated_by_id": staff_id,
                    "ended_by_id": staff_id if until else None,
                    "created_at": min(b.at_day(since), b.now),
                }
            )

        for i, a in enumerate(ordered):
            sup = sup_pool[i % len(sup_pool)]
            coach = (
                next(
                    (c for c in coach_pool if named_coach and c["user_id"] == named_coach["id"]),
                    None,
                )
                if a["_holder"] is holder
                else None
            )
            coach = coach or coach_pool[i % len(coach_pool)]
            replaced_on = None
            if len(sup_pool) > 1 and a["_holder"] is not holder and b.rng.random() < REPLACED:
                replaced_on = start + timedelta(days=b.rng.randint(90, 200))
                if replaced_on >= last_day:
                    replaced_on = None
            if replaced_on:
                why = "Supervisor on long-term sick leave"
                _alloc(a, sup, PoolKind.SUPERVISOR, start, replaced_on, end_why=why)
                sup = sup_pool[(i + 1) % len(sup_pool)]
                _alloc(a, sup, PoolKind.SUPERVISOR, replaced_on, why=why)
            else:
                _alloc(a, sup, PoolKind.SUPERVISOR, start)
            _alloc(a, coach, PoolKind.COACH, start)

            # meetings: supervision every four to six weeks, coaching about every two months
            quiet = (
                cohort["_phase"] == RUNNING
                and a["_holder"] is not holder
                and b.rng.random() < QUIET
            )
            stop = last_day - timedelta(days=50) if quiet else last_day
            for kind, gap, person, role in (
                (MeetingKind.SUPERVISION, (28, 42), sup, "supervisor"),
                (MeetingKind.COACHING, (50, 70), coach, "coach"),
            ):
                day = start + timedelta(days=b.rng.randint(5, 20))
                while day <= stop:
                    who = person
                    if kind is MeetingKind.SUPERVISION and replaced_on and day < replaced_on:
                        who = sup_pool[i % len(sup_pool)]
                    meetings.append(_meeting(b, cohort, kind, day, who["user_id"]))
                    attendees.append(_holder_row(b, meetings[-1], a))
                    attendees.append(_row(meetings[-1], who["user_id"], role))
                    day += timedelta(days=b.rng.randint(*gap))
            # three-way meetings: one per third of the year that has passed, some missed
            third = (end - start).days // 3
            for n in range(3):
                day = start + timedelta(days=n * third + b.rng.randint(20, 60))
                if day > last_day or b.rng.random() < 0.2 or not a["line_manager_id"]:
                    continue
                meetings.append(_meeting(b, cohort, MeetingKind.THREE_WAY, day, sup["user_id"]))
                attendees.append(_holder_row(b, meetings[-1], a))
                attendees.append(_row(meetings[-1], sup["user_id"], "supervisor"))
                attendees.append(_row(meetings[-1], a["line_manager_id"], "line_manager"))
            # onboarding: finished cohorts complete; running ones mostly done
            done = [
                item
                for item in OnboardingItem
                if cohort["_phase"] != RUNNING or b.rng.random() > 0.25
            ]
            if OnboardingItem.LIBRARY_REQUESTED not in done:
                done = [i for i in done if i is not OnboardingItem.LIBRARY_GRANTED]
            ticks += [
                {
                    "award_id": a["id"],
                    "item": item,
                    "done_on": min(start + timedelta(days=b.rng.randint(0, 40)), last_day),
                    "ticked_by_id": staff_id,
                    "ticked_at": b.between(b.at_day(start), b.at_day(start + timedelta(days=40))),
                }
                for item in done
            ]
        for n in range(GROUP_SESSIONS):
            day = start + timedelta(days=60 + n * 90)
            if day > last_day or len(awards) < 2:
                continue
            lead = coach_pool[n % len(coach_pool)]
            meetings.append(_meeting(b, cohort, MeetingKind.GROUP_COACHING, day, lead["user_id"]))
            attendees += [_holder_row(b, meetings[-1], a) for a in awards]
            attendees.append(_row(meetings[-1], lead["user_id"], "coach"))

    b.insert(PoolMember.__table__, pools)
    b.assign_ids(Allocation.__table__, allocations)
    b.insert(Allocation.__table__, allocations)
    b.insert(Meeting.__table__, meetings)
    b.assign_ids(Attendee.__table__, attendees)
    b.insert(Attendee.__table__, attendees)
    b.assign_ids(OnboardingTick.__table__, ticks)
    b.insert(OnboardingTick.__table__, ticks)


def _meeting(b, cohort, kind, day, logged_by_id) -> dict:
    (new_id,) = b.ids(Meeting.__table__, 1)
    return {
        "id": new_id,
        "cohort_id": cohort["id"],
        "kind": kind,
        "held_on": day,
        "minutes": b.rng.choice([45, 60, 60, 90]),
        "notes": "Progress on the literature review and the next steps.",
        "actions": "",
        "logged_by_id": logged_by_id,
        "created_at": min(b.at_day(day), b.now),
    }


def _holder_row(b, meeting, award) -> dict:
    confirmed = b.rng.random() < 0.8
    return {
        "meeting_id": meeting["id"],
        "user_id": award["holder_id"],
        "award_id": award["id"],
        "role": "award_holder",
        "confirmed_at": min(meeting["created_at"] + timedelta(days=1), b.now)
        if confirmed
        else None,
    }


def _row(meeting, user_id, role) -> dict:
    return {
        "meeting_id": meeting["id"],
        "user_id": user_id,
        "award_id": None,
        "role": role,
        "confirmed_at": meeting["created_at"],
    }
