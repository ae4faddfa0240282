"""Demo supervision and coaching: each cohort with award holders has its supervisors and
coaches, every award holder a supervisor and a coach, and the running cohort (2026-27)
its meetings so far (applicant1@demo.test, falling behind, has had no supervision for two
months: the contact report flags them) and its onboarding checklists part done. As in
the evaluation, one supervisor fell ill mid-year and was replaced: Dr Ruth Evans
(supervisor@demo.test) took over from her colleague, and the history says when and why.

Rows are written directly (the programme's dates are in the past, which the services
rightly refuse for new allocations); a cohort that already has a pool is left alone, so
`flask demo` stays idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.clock import today
from app.core.db import utcnow
from app.extensions import db
from app.organisations.models import Membership, Organisation, OrgKind
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

DEMO_TODAY = date(2026, 11, 20)
RUNNING = "2026-27"
QUIET = "applicant1@demo.test"  # falling behind: no supervision for two months
# The running cohort's onboarding, part done: (item, who ticked: holder, manager or staff)
ONBOARDING = {
    "holder@demo.test": [
        (OnboardingItem.LIBRARY_REQUESTED, "holder"),
        (OnboardingItem.LIBRARY_GRANTED, "staff"),
        (OnboardingItem.LEARNING_AGREEMENT, "manager"),
        (OnboardingItem.BACKFILL, "staff"),
    ],  # the managers' handbook is still to be acknowledged by manager@demo.test
    "applicant1@demo.test": [(OnboardingItem.LIBRARY_REQUESTED, "holder")],
    "applicant2@demo.test": [(i, "staff") for i in OnboardingItem],
    "applicant3@demo.test": [(OnboardingItem.BACKFILL, "staff")],
}
ILL = "Long-term sick leave: Dr {name} fell ill in the summer"
EXPERTISE = [
    "Qualitative interviews, carers' experiences, hospital discharge",
    "Children in care, participatory methods with young people",
    "Safeguarding adults, practice audits and case file analysis",
    "Mental health social work, mixed methods",
    "Evaluation of practice tools, surveys",
    "Ethnography in social care teams, reflective practice",
    "Learning disabilities, co-production with people who draw on care",
]


def _users(emails: list[str]) -> list[User]:
    found = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    return [found[e] for e in emails if e in found]


def _university(user: User) -> Organisation | None:
    return db.session.scalar(
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id, Organisation.kind == OrgKind.UNIVERSITY)
    )


def _awards(cohort: Cohort) -> list[Award]:
    return list(
        db.session.scalars(
            select(Award)
            .join(User, User.id == Award.holder_id)
            .where(Award.cohort_id == cohort.id)
            .order_by(User.email)
        )
    )


def _meeting(cohort, kind, held_on, minutes, people, notes="", actions="", logged_by=None):
    """`people`: (user, award or None, role) in the meeting; holders' rows confirmed."""
    m = Meeting(
        cohort_id=cohort.id,
        kind=kind,
        held_on=held_on,
        minutes=minutes,
        notes=notes,
        actions=actions,
        logged_by_id=(logged_by or people[-1][0]).id,
    )
    m.attendees = [
        Attendee(user_id=u.id, award_id=a.id if a else None, role=role, confirmed_at=utcnow())
        for u, a, role in people
    ]
    db.session.add(m)
    return m


def load_supervision() -> int:
    """Pools, allocations and meetings; returns how many allocations were added."""
    supervisors = _users(
        ["supervisor@demo.test", *(f"supervisor{i}@demo.test" for i in range(1, 7))]
    )
    coaches = _users(["coach@demo.test", "coach2@demo.test"])
    staff = db.session.scalar(select(User).where(User.email == "staff@demo.test"))
    if not supervisors or not coaches or staff is None:
        return 0
    added = 0
    cohorts = db.session.scalars(select(Cohort).order_by(Cohort.programme_start))
    for cohort in cohorts:
        awards = _awards(cohort)
        if not awards or db.session.scalar(
            select(PoolMember.id).where(PoolMember.cohort_id == cohort.id).limit(1)
        ):
            continue
        pool = {}
        for i, person in enumerate(supervisors):
            pool[person.id] = PoolMember(
                cohort_id=cohort.id,
                user_id=person.id,
                kind=PoolKind.SUPERVISOR,
                university_id=_university(person).id,
                expertise=EXPERTISE[i % len(EXPERTISE)],
                capacity=3,
            )
        for person in coaches:
            pool[(person.id, "coach")] = PoolMember(
                cohort_id=cohort.id,
                user_id=person.id,
                kind=PoolKind.COACH,
                expertise="Individual and group coaching for practitioner researchers",
                capacity=12,
            )
        db.session.add_all(pool.values())
        db.session.flush()
        running = cohort.name == RUNNING
        start = cohort.programme_start
        for n, award in enumerate(awards):
            # supervisor@demo.test takes the running cohort's first two; the others share
            sup = supervisors[n % len(supervisors)] if not running or n > 1 else supervisors[0]
            if running and n == 1:
                sup = supervisors[3]  # fell ill; replaced below
            coach = coaches[0] if running else coaches[n % len(coaches)]
            for person, kind in ((sup, PoolKind.SUPERVISOR), (coach, PoolKind.COACH)):
                key = person.id if kind is PoolKind.SUPERVISOR else (person.id, "coach")
                db.session.add(
                    Allocation(
                        award_id=award.id,
                        pool_id=pool[key].id,
                        user_id=person.id,
                        kind=kind,
                        started_on=start,
                        allocated_by_id=staff.id,
                        ended_on=None,
                    )
                )
                added += 1
        db.session.flush()
        if running:
            _replacement(cohort, awards[1], supervisors[3], supervisors[0], pool, staff)
            _running_meetings(cohort, awards, coaches[0])
        _onboarding(cohort, awards, staff, running)
    return added


def _onboarding(cohort: Cohort, awards: list[Award], staff: User, running: bool) -> None:
    """Finished cohorts completed their checklists; the running cohort is part way."""
    for a in awards:
        if running:
            items = ONBOARDING.get(a.holder.email, [])
        else:
            items = [(i, "staff") for i in OnboardingItem]
        for n, (item, who) in enumerate(items):
            by = {"holder": a.holder, "manager": a.line_manager}.get(who) or staff
            db.session.add(
                OnboardingTick(
                    award_id=a.id,
                    item=item,
                    done_on=cohort.programme_start + timedelta(days=3 + 7 * n),
                    ticked_by_id=by.id,
                )
            )
    db.session.flush()


def _replacement(cohort, award, ill, successor, pool, staff) -> None:
    """Mid-year, as in the evaluation: the supervisor fell ill and was replaced."""
    on = date(2026, 7, 1)
    old = db.session.scalar(
        select(Allocation).where(
            Allocation.award_id == award.id,
            Allocation.kind == PoolKind.SUPERVISOR,
            Allocation.ended_on.is_(None),
        )
    )
    reason = ILL.format(name=ill.name.removeprefix("Dr "))
    old.ended_on, old.end_reason, old.ended_by_id = on, reason, staff.id
    db.session.flush()
    db.session.add(
        Allocation(
            award_id=award.id,
            pool_id=pool[successor.id].id,
            user_id=successor.id,
            kind=PoolKind.SUPERVISOR,
            started_on=on,
            reason=reason,
            allocated_by_id=staff.id,
        )
    )
    _meeting(
        cohort,
        MeetingKind.SUPERVISION,
        date(2026, 5, 20),
        60,
        [(award.holder, award, "award_holder"), (ill, None, "supervisor")],
        "Scoped the research question and the ethics route.",
        "Draft the ethics form by the end of June.",
    )
    db.session.flush()


def _running_meetings(cohort: Cohort, awards: list[Award], coach: User) -> None:
    """Supervision every six weeks or so, individual coaching, one group session, and the
    first three-way meetings (one award holder's is overdue: the one falling behind)."""
    people = {
        a.id: db.session.scalar(
            select(User)
            .join(Allocation, Allocation.user_id == User.id)
            .where(
                Allocation.award_id == a.id,
                Allocation.kind == PoolKind.SUPERVISOR,
                Allocation.ended_on.is_(None),
            )
        )
        for a in awards
    }
    first_window_end = cohort.programme_start + timedelta(
        days=((cohort.programme_end - cohort.programme_start).days + 1) // 3 - 1
    )
    # Counted back from today (the demo may be loaded after DEMO_TODAY), so the contact
    # report flags only the award holder falling behind: no supervision for two months.
    recent = min(max(today(), DEMO_TODAY), cohort.programme_end)
    for n, a in enumerate(awards):
        sup = people[a.id]
        holder = (a.holder, a, "award_holder")
        first = cohort.programme_start + timedelta(days=21)
        if n == 1:  # replaced on 1 July: the earlier meeting was with the ill supervisor
            first = date(2026, 7, 8)
        quiet = a.holder.email == QUIET
        day = recent - timedelta(days=(60 if quiet else 6) + n * 3)
        while day >= first:
            _meeting(
                cohort,
                MeetingKind.SUPERVISION,
                day,
                60,
                [holder, (sup, None, "supervisor")],
                "Reviewed progress on the literature review and data collection plan.",
                "Send the next draft chapter two weeks before the next meeting.",
            )
            day -= timedelta(days=42 if quiet or n % 2 else 35)
        _meeting(
            cohort,
            MeetingKind.COACHING,
            cohort.programme_start + timedelta(days=35 + n),
            45,
            [holder, (coach, None, "coach")],
            "Protecting study days when the team is short-staffed.",
            "Agree a regular study day with the line manager.",
        )
        if a.holder.email != "applicant1@demo.test" and a.line_manager is not None:
            _meeting(
                cohort,
                MeetingKind.THREE_WAY,
                first_window_end - timedelta(days=20 + n),
                60,
                [holder, (a.line_manager, None, "line_manager"), (sup, None, "supervisor")],
                "Agreed how study days will be protected and what the authority needs "
                "from the report.",
                "Manager to book study days into the team rota.",
                logged_by=sup,
            )
    _meeting(
        cohort,
        MeetingKind.GROUP_COACHING,
        date(2026, 10, 7),
        120,
        [*((a.holder, a, "award_holder") for a in awards), (coach, None, "coach")],
        "Group session at the second residential: recruiting participants.",
        "Share recruitment letters with the group before the next session.",
    )
    db.session.flush()
