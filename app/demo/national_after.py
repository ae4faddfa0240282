"""The national data set after the programme (issue 18): finished award holders' impact
entries for the years since they completed (most written by the holder, some suggested
by their line manager, a few still waiting), about a third of alumni on a pathway to a
fellowship, a PhD, a bid or a research lead role, pre-application review slots over the
past year and the next three months (most past ones booked), and every finished cohort's
evaluation surveys: the end-of-year one and, a year on, the follow-up, sent to the
cohort's holders, line managers, PSWs and supervisors, answered by most (mostly
anonymously, with no key from an answer to a person, as the app writes them).

Its own random generator, so the families before and after it make the data they made
before."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.bridging.models import PathwayStep, ReviewSlot, Stage, StepKind
from app.evaluation.models import Answer, Group, Invitation, Response, Survey, SurveyKind
from app.evaluation.questions import FREE, SCALED
from app.impact.models import Category, EntryStatus, ImpactEntry, Reach
from app.supervision.models import Allocation, PoolKind

ENTRIES_PER_YEAR = (0, 3)  # confirmed entries a holder logs per year since completion
SUGGESTED = 0.2  # of entries, suggested by the line manager
WAITING = 0.25  # of suggestions, not yet confirmed or declined
ON_A_PATHWAY = 0.35
SLOTS_PER_MONTH = 3  # per region
ANSWERED = {Group.HOLDER: 0.7, Group.MANAGER: 0.45, Group.PSW: 0.5, Group.SUPERVISOR: 0.6}
ANONYMOUS = 0.7
CATEGORIES = {
    Category.PRESENTATION: 6,
    Category.TRAINING: 5,
    Category.TOOL: 4,
    Category.POLICY: 3,
    Category.COLLABORATION: 3,
    Category.PUBLICATION: 2,
    Category.PROMOTION: 2,
    Category.SERVICE: 1,
    Category.FUNDING: 1,
    Category.MEDIA: 1,
}
REACHES = {
    Reach.TEAM: 5,
    Reach.AUTHORITY: 6,
    Reach.OTHER_AUTHORITIES: 2,
    Reach.REGIONAL: 2,
    Reach.NATIONAL: 1,
    Reach.INTERNATIONAL: 0.2,
}
WHAT = {
    Category.SERVICE: "A new specialist team set up on the back of the findings.",
    Category.TOOL: "A practice tool from the research, now used in assessments.",
    Category.POLICY: "The supervision policy rewritten using the study's recommendations.",
    Category.TRAINING: "Training for colleagues on the findings and how to use them.",
    Category.PRESENTATION: "Presented the research at a practice conference.",
    Category.PUBLICATION: "A journal abstract accepted for publication.",
    Category.FUNDING: "Part of a successful bid for further research funding.",
    Category.COLLABORATION: "Working with a university team on a follow-on study.",
    Category.PROMOTION: "Promoted to a practice lead role with time for research.",
    Category.MEDIA: "A short film about the research for families and practitioners.",
}
STEPS = {
    StepKind.SPARC: 2,
    StepKind.PLAF: 3,
    StepKind.DLAF: 1,
    StepKind.ALAF: 0.3,
    StepKind.PHD: 1,
    StepKind.BID: 2,
    StepKind.LEAD: 2,
}
MENTORS = ["Dr Asha Patel", "Prof Sam Okafor", "Dr Ruth Evans", "Dr Tom Byrne", ""]
REVIEWERS = ["Dr Sam Okafor, NIHR Academy", "Prof Jo Hughes", "Dr Priya Shah", "Dr Ann Lowe"]
FREE_TEXT = {
    "t1": [
        "It gave me the confidence to question how we do things.",
        "Our team now looks for evidence before changing practice.",
        "Time away from casework to think was the biggest difference.",
    ],
    "t2": [
        "More contact from the programme for managers, to help with impact.",
        "A bridge to the NIHR personal awards after the year ends.",
        "Library access sooner at the start of the year.",
    ],
}


def _pick(rng: random.Random, mix: dict):
    keys = list(mix)
    return rng.choices(keys, weights=[mix[k] for k in keys])[0]


def add_after_programme(b) -> None:
    from app.demo.national import HISTORIC

    rng = random.Random(f"{b.seed}-after-the-programme")
    finished = [a for a in b.awards if a["_cohort"]["_phase"] == HISTORIC]
    _impact(b, rng, finished)
    _pathways(b, rng, finished)
    _slots(b, rng, finished)
    _surveys(b, rng)


def _when(b, rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def _impact(b, rng: random.Random, finished: list[dict]) -> None:
    rows = []
    for a in finished:
        start = a["awarded_at"].date()
        years = max(1, (b.today - a["_cohort"]["programme_end"]).days // 365)
        n = sum(rng.randint(*ENTRIES_PER_YEAR) for _ in range(min(years, 4)))
        for _ in range(n):
            category = _pick(rng, CATEGORIES)
            on = _when(b, rng, start, b.today - timedelta(days=1))
            by_manager = a["line_manager_id"] and rng.random() < SUGGESTED
            status = EntryStatus.CONFIRMED
            if by_manager and rng.random() < WAITING:
                status = rng.choice([EntryStatus.SUGGESTED, EntryStatus.DECLINED])
            created = min(b.at_day(on + timedelta(days=rng.randint(0, 30))), b.now)
            rows.append(
                {
                    "award_id": a["id"],
                    "category": category,
                    "occurred_on": on,
                    "description": WHAT[category],
                    "reach": _pick(rng, REACHES),
                    "evidence_url": f"https://example.org/impact/{a['id']}/{len(rows)}"
                    if rng.random() < 0.3
                    else None,
                    "evidence_file_id": None,
                    "evidence_filename": None,
                    "status": status,
                    "created_by_id": a["line_manager_id"] if by_manager else a["holder_id"],
                    "created_at": created,
                    "decided_at": None
                    if status == EntryStatus.SUGGESTED
                    else min(created + timedelta(days=rng.randint(0, 14)), b.now),
                }
            )
    b.assign_ids(ImpactEntry.__table__, rows)
    b.insert(ImpactEntry.__table__, rows)


def _pathways(b, rng: random.Random, finished: list[dict]) -> None:
    rows = []
    for a in finished:
        if rng.random() >= ON_A_PATHWAY:
            continue
        done = a["_cohort"]["programme_end"]
        for _ in range(rng.choice([1, 1, 1, 2])):
            started = _when(b, rng, done - timedelta(days=60), b.today - timedelta(days=1))
            age = (b.today - started).days
            if age < 120:
                stage = rng.choice([Stage.EXPLORING, Stage.PREPARING])
            elif age < 400:
                stage = rng.choice([Stage.PREPARING, Stage.SUBMITTED, Stage.SUBMITTED])
            else:
                stage = _pick(
                    rng,
                    {Stage.AWARDED: 3, Stage.NOT_FUNDED: 3, Stage.SUBMITTED: 1, Stage.EXPLORING: 1},
                )
            rows.append(
                {
                    "award_id": a["id"],
                    "kind": _pick(rng, STEPS),
                    "stage": stage,
                    "mentor": rng.choice(MENTORS),
                    "started_on": started,
                    "deadline": started + timedelta(days=rng.randint(60, 240))
                    if rng.random() < 0.6
                    else None,
                    "stage_on": _when(b, rng, started, b.today),
                    "created_at": min(b.at_day(started), b.now),
                }
            )
    b.assign_ids(PathwayStep.__table__, rows)
    b.insert(PathwayStep.__table__, rows)


def _slots(b, rng: random.Random, finished: list[dict]) -> None:
    staff_id = b.staff[0]["id"]
    rows = []
    regions = max(1, len(b.regions))
    for month in range(-12, 3):
        for _ in range(SLOTS_PER_MONTH * regions):
            day = b.today + timedelta(days=month * 30 + rng.randint(1, 28))
            starts = datetime.combine(day, time(rng.choice([9, 10, 11, 13, 14, 15])))
            past = starts <= b.now
            booked = finished and (past and rng.random() < 0.85 or rng.random() < 0.4)
            award = rng.choice(finished) if booked else None
            rows.append(
                {
                    "starts_at": starts,
                    "minutes": rng.choice([30, 45, 60, 60, 90]),
                    "reviewer": rng.choice(REVIEWERS),
                    "where": rng.choice(["Microsoft Teams", "Room 2, the programme office"]),
                    "notes": "Send your draft application a week before.",
                    "created_by_id": staff_id,
                    "booked_award_id": award["id"] if award else None,
                    "booked_at": min(starts - timedelta(days=rng.randint(3, 30)), b.now)
                    if award
                    else None,
                }
            )
    b.assign_ids(ReviewSlot.__table__, rows)
    b.insert(ReviewSlot.__table__, rows)


def _surveys(b, rng: random.Random) -> None:
    from app.demo.national import HISTORIC

    staff_id = b.staff[0]["id"]
    names = {u["id"]: u["name"] for u in b.users}
    supervisors: dict[int, set[int]] = {}
    for award_id, user_id in b.conn.execute(
        select(Allocation.award_id, Allocation.user_id).where(
            Allocation.kind == PoolKind.SUPERVISOR
        )
    ):
        supervisors.setdefault(award_id, set()).add(user_id)
    by_cohort: dict[int, list[dict]] = {}
    for a in b.awards:
        by_cohort.setdefault(a["cohort_id"], []).append(a)
    surveys, invitations, responses, answers = [], [], [], []
    for cohort in b.cohorts:
        awards = by_cohort.get(cohort["id"])
        if cohort["_phase"] != HISTORIC or not awards:
            continue
        people: set[tuple[int, Group]] = set()
        for a in awards:
            people.add((a["holder_id"], Group.HOLDER))
            if a["line_manager_id"]:
                people.add((a["line_manager_id"], Group.MANAGER))
            if a["psw_id"]:
                people.add((a["psw_id"], Group.PSW))
            people.update((s, Group.SUPERVISOR) for s in supervisors.get(a["id"], ()))
        end = cohort["programme_end"]
        for kind, opens in ((SurveyKind.END, end - timedelta(days=14)),
                            (SurveyKind.FOLLOW_UP, end + timedelta(days=365))):  # fmt: skip
            if opens > b.today:
                continue
            closes = opens + timedelta(days=42)
            survey = {
                "cohort_id": cohort["id"],
                "kind": kind,
                "opens_on": opens,
                "closes_on": closes,
                "created_by_id": staff_id,
                "created_at": min(b.at_day(opens - timedelta(days=7)), b.now),
            }
            b.assign_ids(Survey.__table__, [survey])
            surveys.append(survey)
            still_open = closes >= b.today
            for user_id, group in sorted(people):
                rate = ANSWERED[group] * (0.5 if still_open else 1)
                answered = rng.random() < rate
                invitations.append(
                    {
                        "survey_id": survey["id"],
                        "user_id": user_id,
                        "group": group,
                        "answered": answered,
                    }
                )
                if not answered:
                    continue
                # as the app writes it: a random key, no time, the name only when given
                response_id = f"{rng.getrandbits(128):032x}"
                responses.append(
                    {
                        "id": response_id,
                        "survey_id": survey["id"],
                        "group": group,
                        "respondent_name": None if rng.random() < ANONYMOUS else names.get(user_id),
                    }
                )
                lean = rng.choice([0, 1, 1, 2])
                for q in SCALED:
                    score = max(1, min(5, 3 + lean + rng.choice([-1, 0, 0, 1]) - (lean == 2)))
                    answers.append(
                        {
                            "response_id": response_id,
                            "question": q.key,
                            "score": score,
                            "text": None,
                        }
                    )
                for q in FREE:
                    if rng.random() < 0.3:
                        answers.append(
                            {
                                "response_id": response_id,
                                "question": q.key,
                                "score": None,
                                "text": rng.choice(FREE_TEXT[q.key]),
                            }
                        )
    b.insert(Survey.__table__, surveys)
    # invitations in a shuffled order: their ids say nothing about who answered first
    rng.shuffle(invitations)
    b.assign_ids(Invitation.__table__, invitations)
    b.insert(Invitation.__table__, invitations)
    rng.shuffle(responses)
    b.insert(Response.__table__, responses)
    b.insert(Answer.__table__, answers)
