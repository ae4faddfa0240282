"""Demo cohorts and applications, built through the real services.

The two real cohorts (2022-23: 7 award holders, 2023-24: 11) use the profiles
in the evaluation's Tables 1 and 2 (anonymised); a running cohort (2026-27)
gives the named award holder a live programme year; an open cohort (2027-28)
has applications at every stage.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from app.accounts.models import User
from app.applications import services
from app.applications.models import (
    Application,
    AppStatus,
    Degree,
    Gender,
    PriorResearch,
    ServiceArea,
)
from app.awards.models import Award
from app.cohorts.models import Cohort, EventKind, PriorityArea, RecruitmentEvent
from app.extensions import db
from app.organisations.models import Organisation

F, M = Gender.FEMALE, Gender.MALE
AD, CH = ServiceArea.ADULTS, ServiceArea.CHILDREN
MA, MSC, BSC, PGD, DIP = (
    Degree.MASTERS,
    Degree.MASTERS,
    Degree.BACHELORS,
    Degree.PG_DIPLOMA,
    Degree.DIPLOMA,
)
MOD, MAD, NONE, PGR = (
    PriorResearch.MODULE,
    PriorResearch.MA_DISSERTATION,
    PriorResearch.NONE,
    PriorResearch.PG_RESEARCH,
)

# (gender, service, social worker?, role, qualification, degree, years, research, question)
COHORT_2022 = [
    (
        F,
        AD,
        True,
        "Social work consultant, safeguarding and quality assurance",
        "MA Social Work",
        MA,
        13,
        MAD,
        "How can adult social care better support autistic adults without a learning disability?",
    ),
    (
        F,
        AD,
        True,
        "Social worker, assessment and care planning",
        "MA Social Work",
        MA,
        9,
        MOD,
        "What helps older people take part in their own Care Act assessments?",
    ),
    (
        M,
        AD,
        False,
        "Paediatric occupational therapist",
        "BSc (Hons) Occupational Therapy",
        BSC,
        9,
        MOD,
        "How do families experience equipment assessments at home?",
    ),
    (
        F,
        AD,
        True,
        "Advanced practice lead",
        "MSc Social Work",
        MSC,
        8,
        MOD,
        "How can people who use services co-produce practice research in a local authority?",
    ),
    (
        M,
        AD,
        True,
        "Senior social worker",
        "MA Social Work",
        MA,
        7,
        MOD,
        "What makes reflective supervision work for adult social workers?",
    ),
    (
        F,
        AD,
        True,
        "Social worker, assessment and care planning",
        "MA Social Work",
        MA,
        7,
        MOD,
        "How do Black and minority ethnic carers experience carers' assessments?",
    ),
    (
        F,
        AD,
        True,
        "Senior social worker, substance misuse and homelessness",
        "BA (Hons) Social Work",
        BSC,
        19,
        NONE,
        "Why do rough sleepers with multiple exclusion rarely receive Care Act assessments?",
    ),
]
COHORT_2023 = [
    (
        F,
        CH,
        True,
        "Practice development manager",
        "MA Social Work",
        MA,
        9,
        MAD,
        "How do newly qualified children's social workers learn to write court reports?",
    ),
    (
        F,
        CH,
        True,
        "Social worker, complex safeguarding",
        "PG Dip Social Work",
        PGD,
        3,
        MOD,
        "How do young people experiencing criminal exploitation describe help that works?",
    ),
    (
        M,
        CH,
        True,
        "Team manager",
        "MA Social Work",
        MA,
        7,
        MAD,
        "What do team managers weigh when deciding to step a case down from child protection?",
    ),
    (
        F,
        AD,
        True,
        "Hospital discharge social worker",
        "MA Social Work",
        MA,
        2,
        PGR,
        "How do carers experience hospital discharge planning?",
    ),
    (
        F,
        AD,
        True,
        "Team manager, community team",
        "Diploma in Social Work",
        DIP,
        27,
        PGR,
        "How can community teams keep strengths-based practice alive under waiting-list pressure?",
    ),
    (
        F,
        CH,
        True,
        "Team manager, quality assurance",
        "MA Social Work",
        MA,
        7,
        MAD,
        "Can a structured decision-making tool improve parenting assessments?",
    ),
    (
        F,
        CH,
        True,
        "Children's social worker",
        "MA Social Work",
        MA,
        2,
        MAD,
        "How do children in care want their life-story work to be done?",
    ),
    (
        F,
        CH,
        True,
        "Enhanced social worker, early help and child protection",
        "MA Social Work",
        MA,
        4,
        MAD,
        "What helps families move from child protection to early help?",
    ),
    (
        M,
        AD,
        True,
        "Practice supervisor",
        "MA Social Work",
        MA,
        10,
        MAD,
        "What does a good supervision policy look like to practitioners?",
    ),
    (
        F,
        AD,
        True,
        "Rough sleepers social worker",
        "MA Social Work",
        MA,
        3,
        MAD,
        "What would trauma-informed accommodation for homeless women need to offer?",
    ),
    (
        F,
        CH,
        True,
        "Social worker, new arrivals team",
        "MA Social Work",
        MA,
        3,
        MAD,
        "How do children separated from their parents experience their first month in care?",
    ),
]

HISTORIC = {
    "2022-23": dict(
        programme_start=date(2022, 9, 1),
        programme_end=date(2023, 7, 31),
        applications_open=date(2022, 5, 3),
        applications_close=date(2022, 6, 24),
        places=8,
        backfill_pence=600_000,
        profiles=COHORT_2022,
        year="2022",
        description="The first cohort: practitioners from adults' services.",
    ),
    "2023-24": dict(
        programme_start=date(2023, 9, 1),
        programme_end=date(2024, 7, 31),
        applications_open=date(2023, 4, 24),
        applications_close=date(2023, 6, 16),
        places=12,
        backfill_pence=600_000,
        profiles=COHORT_2023,
        year="2023",
        description="The second cohort: adults' and children and families' services.",
    ),
}


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user


def _employer_index(user: User, las: list[Organisation]) -> int:
    ids = [o.id for o in las]
    for m in user.memberships:
        if m.organisation_id in ids:
            return ids.index(m.organisation_id)
    return 0


def _fill(
    app: Application, profile: tuple, employer: Organisation, manager: User, psw: User
) -> None:
    gender, service, is_sw, role, qual, degree, years, research, question = profile
    app.phone = "07700 900" + f"{app.applicant_id % 1000:03d}"
    app.gender = gender
    app.employer_id = employer.id
    app.service_area = service
    app.team = ("Children and families " if service == CH else "Adults ") + "locality team"
    app.current_role = role
    app.is_social_worker = is_sw
    app.profession = "" if is_sw else "Occupational therapist"
    app.professional_qualification = qual
    app.highest_degree = degree
    app.years_qualified = years
    app.prior_research = research
    app.research_question = question
    app.background = (
        "Practitioners in our teams have raised this repeatedly in supervision and "
        "in audits; there is little UK research from practice."
    )
    app.strategic_relevance = (
        f"It speaks directly to {employer.name}'s practice priorities "
        "and our quality assurance findings."
    )
    app.methods = "Semi-structured interviews and a focused literature review."
    app.expected_impact = "Recommendations for practice and a short practice guide for teams."
    app.line_manager_id = manager.id
    app.psw_id = psw.id
    app.declare_accurate = app.declare_commitment = True


def _cohort(name: str, **fields) -> tuple[Cohort, bool]:
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == name))
    if cohort is not None:
        return cohort, False
    cohort = Cohort(name=name, **fields)
    db.session.add(cohort)
    db.session.flush()
    return cohort, True


def _people(las: list[Organisation], i: int) -> tuple[User, User]:
    if i == 0:
        return _user("manager@demo.test"), _user("psw@demo.test")
    return _user(f"manager{i + 1}@demo.test"), _user(f"psw{i + 1}@demo.test")


def _advance(
    app: Application,
    applicant: User,
    psw: User,
    staff: User,
    status: AppStatus,
    on: date,
    message: str = "",
) -> None:
    """Move an application through the real services to `status`."""
    if status == AppStatus.DRAFT:
        return
    if status == AppStatus.WITHDRAWN:
        services.withdraw(app, applicant, "I have moved to a new post and cannot take part.")
        return
    services.submit(app, applicant, on)
    if status == AppStatus.SUBMITTED:
        return
    if status == AppStatus.PSW_DECLINED:
        services.sign_off(
            app,
            psw,
            endorse=False,
            reason="The authority cannot release you for "
            "36 days this year because of vacancies in the team. Please apply "
            "again next year.",
        )
        return
    services.sign_off(app, psw, endorse=True, confirmed_release=True, confirmed_strategic=True)
    if status == AppStatus.ENDORSED:
        return
    if status == AppStatus.SHORTLISTED:
        services.shortlist(app, staff)
        return
    services.decide(app, staff, status, message)


def load_programme(las: list[Organisation]) -> int:
    """Returns how many applications were created."""
    staff = _user("staff@demo.test")
    created = 0

    for name, spec in HISTORIC.items():
        spec = dict(spec)
        profiles, year = spec.pop("profiles"), spec.pop("year")
        cohort, new = _cohort(name, **spec)
        if not new:
            continue
        for k, profile in enumerate(profiles, start=1):
            applicant = _user(f"holder{year}-{k}@demo.test")
            i = _employer_index(applicant, las)
            manager, psw = _people(las, i)
            app = services.start_application(applicant, cohort, cohort.applications_open)
            _fill(app, profile, las[i], manager, psw)
            _advance(
                app,
                applicant,
                psw,
                staff,
                AppStatus.AWARDED,
                cohort.applications_close,
                "Congratulations, and welcome to the programme.",
            )
            when = datetime.combine(cohort.applications_close, datetime.min.time())
            app.submitted_at = when
            app.decided_at = when
            # the award dates from the decision too (impact is logged from the award on)
            award = db.session.scalar(select(Award).where(Award.application_id == app.id))
            award.awarded_at = when
            created += 1

    # A cohort in its programme year now: the named award holder's live year.
    running, new = _cohort(
        "2026-27",
        programme_start=date(2026, 4, 1),
        programme_end=date(2027, 3, 31),
        applications_open=date(2025, 11, 3),
        applications_close=date(2026, 1, 30),
        places=12,
        backfill_pence=650_000,
        description="The current cohort.",
    )
    if new:
        holders = [("holder@demo.test", COHORT_2023[3])] + [
            (f"applicant{k}@demo.test", COHORT_2023[k + 4]) for k in range(1, 4)
        ]
        for email, profile in holders:
            applicant = _user(email)
            i = _employer_index(applicant, las)
            manager, psw = _people(las, i)
            app = services.start_application(applicant, running, running.applications_open)
            _fill(app, profile, las[i], manager, psw)
            _advance(
                app,
                applicant,
                psw,
                staff,
                AppStatus.AWARDED,
                running.applications_close,
                "Welcome to the 2026-27 cohort.",
            )
            created += 1

    # The open cohort: recruitment events, priority areas and applications at every stage.
    open_, new = _cohort(
        "2027-28",
        programme_start=date(2027, 4, 1),
        programme_end=date(2028, 3, 31),
        applications_open=date(2026, 11, 2),
        applications_close=date(2027, 1, 29),
        places=12,
        backfill_pence=650_000,
        description="Applications are open for practitioners in adults' and children and "
        "families' services.",
    )
    if new:
        for kind, start, end, details in [
            (
                EventKind.PSW_BRIEFING,
                datetime(2026, 10, 20, 10),
                datetime(2026, 10, 20, 11),
                "Microsoft Teams meeting. Joining link sent to every PSW by email.",
            ),
            (
                EventKind.QA_SESSION,
                datetime(2026, 11, 12, 13),
                datetime(2026, 11, 12, 14),
                "Microsoft Teams meeting. Meeting ID 123 456 789. Passcode: research.",
            ),
            (
                EventKind.QA_SESSION,
                datetime(2026, 12, 9, 17),
                datetime(2026, 12, 9, 18),
                "Microsoft Teams meeting. Meeting ID 987 654 321. Passcode: curious.",
            ),
        ]:
            db.session.add(
                RecruitmentEvent(
                    cohort=open_, kind=kind, starts_at=start, ends_at=end, joining_details=details
                )
            )
        psw = _user("psw@demo.test")
        for title, text in [
            (
                "Transitions from children's to adults' services",
                "How young people with care and support needs move to adult services.",
            ),
            ("Carers' assessments", "Improving the reach and quality of carers' assessments."),
            ("Hospital discharge", "Safe, timely discharge that involves people and carers."),
        ]:
            db.session.add(
                PriorityArea(
                    cohort=open_,
                    organisation=las[0],
                    title=title,
                    description=text,
                    published_by=psw,
                )
            )
        db.session.flush()
        stages = [
            ("applicant@demo.test", AppStatus.DRAFT),
            ("candidate1@demo.test", AppStatus.SUBMITTED),
            ("candidate2@demo.test", AppStatus.SUBMITTED),
            ("candidate3@demo.test", AppStatus.ENDORSED),
            ("candidate4@demo.test", AppStatus.PSW_DECLINED),
            ("candidate5@demo.test", AppStatus.SHORTLISTED),
            ("candidate6@demo.test", AppStatus.WAITLISTED),
            ("candidate7@demo.test", AppStatus.DECLINED),
            ("candidate8@demo.test", AppStatus.WITHDRAWN),
            ("candidate9@demo.test", AppStatus.AWARDED),
        ]
        today = date(2026, 11, 20)
        for n, (email, status) in enumerate(stages):
            applicant = _user(email)
            # the pending sign-offs belong to the named PSW's authority
            i = 0 if status == AppStatus.SUBMITTED else _employer_index(applicant, las)
            if i == 0 and not any(m.organisation_id == las[0].id for m in applicant.memberships):
                from app.organisations.models import Membership

                applicant.memberships.append(Membership(organisation=las[0]))
                db.session.flush()
            manager, psw = _people(las, i)
            app = services.start_application(applicant, open_, today)
            profile = (COHORT_2022 + COHORT_2023)[n + 3]
            _fill(app, profile, las[i], manager, psw)
            if status == AppStatus.DRAFT:
                # part-way through: the research and declarations are still to do
                app.research_question = app.methods = app.expected_impact = ""
                app.declare_accurate = app.declare_commitment = False
                app.psw_id = None
            _advance(
                app,
                applicant,
                psw,
                staff,
                status,
                today,
                {
                    AppStatus.WAITLISTED: "You are first on the waiting list.",
                    AppStatus.DECLINED: "The panel felt the question was not yet focused "
                    "enough. We would welcome a new application next "
                    "year.",
                    AppStatus.AWARDED: "Congratulations.",
                }.get(status, ""),
            )
            created += 1
    return created
