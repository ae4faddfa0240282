"""Demo impact logs: what the evaluation found "rippling on" after the two pilot cohorts,
in the logs of the finished cohorts' award holders whose projects match (a team for
rough sleepers facing multiple exclusion, videos on YouTube, an NIHR bid with a
university, a talk to the housing minister; promotions; a team for autistic adults; a
caseload weighting tool; accommodation for homeless women and vicarious trauma
training; the family time tool used by six authorities and the family courts; a new
supervision policy; a crowdfunded film; a conference abstract).

The evaluation dates them no more closely than "by the interviews" (November 2024 to
January 2025), after each cohort's year (2022-23 ended 31 July 2023, 2023-24 on 31 July
2024): each is dated in that window. Some were suggested by the line manager or PSW and
confirmed by the holder; one suggestion still waits. Everything goes through the real
services; a cohort whose holders have entries is left alone (idempotent)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, select

from app.accounts.models import User
from app.awards.models import Award
from app.bridging import services as bridging
from app.bridging.models import PathwayStep, Stage, StepKind
from app.bridging.services import StepData
from app.cohorts.models import Cohort
from app.core.clock import today
from app.demo.money import pdf
from app.extensions import db
from app.impact import services
from app.impact.models import Category as C
from app.impact.models import ImpactEntry
from app.impact.models import Reach as R
from app.impact.services import EntryData

# cohort -> [(award index, category, date, reach, description, evidence link, who)]
# who: "holder" adds it; "manager"/"psw" suggest it and the holder confirms;
# "manager?" suggests it and it still waits for the holder.
IMPACTS = {
    "2022-23": [
        (0, C.SERVICE, date(2024, 1, 15), R.AUTHORITY,
         "A team dedicated to working with autistic adults was set up in the authority, "
         "on the research's recommendations.", "", "manager"),
        (0, C.PROMOTION, date(2024, 4, 2), R.OTHER_AUTHORITIES,
         "Moved to another local authority in a strategic leadership role.", "", "holder"),
        (1, C.PRESENTATION, date(2024, 6, 20), R.INTERNATIONAL,
         "Presented the research at an international social work research conference, "
         "paid for from the personal award.", "", "holder"),
        (3, C.PROMOTION, date(2023, 11, 1), R.AUTHORITY,
         "A co-production research lead role was created so the holder can promote and "
         "develop practitioner research across the authority.", "", "psw"),
        (3, C.TOOL, date(2024, 5, 14), R.REGIONAL,
         "A caseload weighting tool built from the research is being rolled out in the "
         "region's health innovation and service transformation plan.", "", "holder"),
        (4, C.PROMOTION, date(2023, 12, 4), R.AUTHORITY,
         "Promoted to a more senior management role in the authority.", "", "holder"),
        (5, C.PROMOTION, date(2023, 10, 2), R.AUTHORITY,
         "Promoted to a leadership role: the first woman from her ethnic minority "
         "community in a leadership role in the authority.", "", "holder"),
        (5, C.COLLABORATION, date(2024, 9, 18), R.REGIONAL,
         "Guest lecturing at a local university and partnering with established "
         "researchers in the topic, while staying in practice.", "", "holder"),
        (6, C.SERVICE, date(2023, 10, 9), R.AUTHORITY,
         "A new team for rough sleepers facing multiple exclusion. Before it, 4% of the "
         "group had a Care Act assessment of need; now 87% do.", "", "manager"),
        (6, C.MEDIA, date(2023, 11, 27), R.NATIONAL,
         "A series of videos of case studies from the research, made with the personal "
         "award, shared on YouTube and watched across the country.",
         "https://example.org/videos/multiple-exclusion-case-studies", "holder"),
        (6, C.FUNDING, date(2024, 10, 7), R.NATIONAL,
         "Working with King's College London on an NIHR bid for further research in "
         "the field.", "", "holder"),
        (6, C.PRESENTATION, date(2024, 11, 12), R.NATIONAL,
         "Asked to present the work as a beacon of excellence to the Minister of Housing "
         "at a two-day multi-agency conference.", "", "holder"),
    ],
    "2023-24": [
        (0, C.PROMOTION, date(2024, 9, 2), R.AUTHORITY,
         "Promoted to a more senior role; aiming to become a Principal Social Worker and "
         "build research into workforce development.", "", "holder"),
        (1, C.PRESENTATION, date(2024, 10, 15), R.REGIONAL,
         "Presented the research at a local university and online to organisations "
         "working with young people.", "", "holder"),
        (1, C.COLLABORATION, date(2024, 11, 20), R.NATIONAL,
         "Co-chair of a special interest group in a national professional membership "
         "organisation.", "", "holder"),
        (1, C.MEDIA, date(2024, 12, 10), R.NATIONAL,
         "Crowdfunded a film based on the research and its recommendations, to raise "
         "awareness of the subject.", "https://example.org/film/exploitation-in-their-words",
         "holder"),
        (2, C.COLLABORATION, date(2024, 9, 24), R.REGIONAL,
         "A research collaboration with a leading academic the authority already worked "
         "with, taking the report's recommendations forward.", "", "holder"),
        (3, C.PUBLICATION, date(2025, 1, 17), R.INTERNATIONAL,
         "An abstract accepted for an international research conference, written with "
         "help from the delivery team.", "", "holder"),
        (4, C.PRESENTATION, date(2024, 11, 6), R.NATIONAL,
         "Presented the findings at a national professional forum.", "", "holder"),
        (4, C.TRAINING, date(2025, 1, 22), R.TEAM,
         "Ran a session on strengths-based practice for the team's practice week.", "",
         "manager?"),
        (8, C.POLICY, date(2024, 11, 4), R.AUTHORITY,
         "A new supervision policy for the authority, written from the research's "
         "recommendations with social workers and managers.", "", "manager"),
        (8, C.PROMOTION, date(2025, 1, 6), R.AUTHORITY,
         "Now leads research in the authority, with an executive coaching course the "
         "authority supports.", "", "holder"),
        (9, C.FUNDING, date(2024, 10, 21), R.AUTHORITY,
         "Adult social care won funding for an accommodation facility for homeless women, "
         "planned with a trauma-informed approach from the research.", "", "psw"),
        (9, C.TRAINING, date(2024, 12, 2), R.REGIONAL,
         "Wrote a training package on organisational responses to vicarious trauma, for "
         "a regional multi-agency professional group.", "", "holder"),
        (10, C.TOOL, date(2024, 11, 25), R.OTHER_AUTHORITIES,
         "A decision-making tool for assessing family time in family court proceedings, "
         "now used by six local authorities and built into the authority's case "
         "recording system.", "", "psw"),
        (10, C.PRESENTATION, date(2024, 9, 30), R.REGIONAL,
         "Shared the findings with Local Family Justice Boards and directors in several "
         "authorities.", "", "holder"),
    ],
}  # fmt: skip


def load_impact() -> int:
    """Impact logs, then the bridging and evaluation demos; returns how many impact
    entries were made."""
    made = _load_entries()
    load_bridging()
    load_evaluation()
    return made


def _load_entries() -> int:
    made = 0
    for name, rows in IMPACTS.items():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == name))
        if cohort is None:
            continue
        awards = list(
            db.session.scalars(select(Award).where(Award.cohort_id == cohort.id).order_by(Award.id))
        )
        if not awards or db.session.scalar(
            select(
                exists().where(
                    ImpactEntry.award_id.in_([a.id for a in awards]),
                )
            )
        ):
            continue
        for n, category, on, reach, text, link, who in rows:
            if n >= len(awards):
                continue
            award = awards[n]
            author = {
                "holder": award.holder,
                "manager": award.line_manager,
                "manager?": award.line_manager,
                "psw": award.psw,
            }[who]
            if author is None:
                continue
            file = pdf(f"Evidence: {text[:60]}") if category == C.TOOL else None
            entry = services.add_entry(
                award,
                author,
                EntryData(category, on, text, reach, link),
                today(),
                file,
                "practice-tool.pdf" if file else "",
            )
            if who in ("manager", "psw"):
                services.decide(entry, award.holder, True)
            made += 1
    db.session.flush()
    return made


# --- bridging: next steps the evaluation's award holders were taking -------------------

MARSH = "Dr Helen Marsh, university supervisor"
KCL = "King's College London research team"
# cohort -> [(award index, step, stage, started, mentor)]
STEPS = {
    "2022-23": [
        (3, StepKind.LEAD, Stage.AWARDED, date(2023, 11, 1), ""),
        (3, StepKind.DLAF, Stage.PREPARING, date(2024, 6, 3), MARSH),
        (6, StepKind.BID, Stage.PREPARING, date(2024, 10, 7), KCL),
        (6, StepKind.PLAF, Stage.EXPLORING, date(2024, 11, 18), ""),
    ],
    "2023-24": [
        (0, StepKind.PLAF, Stage.EXPLORING, date(2024, 12, 2), "Programme academic lead"),
        (1, StepKind.PHD, Stage.EXPLORING, date(2024, 12, 16), ""),
        (8, StepKind.LEAD, Stage.AWARDED, date(2025, 1, 6), ""),
        (10, StepKind.SPARC, Stage.SUBMITTED, date(2025, 1, 13), MARSH),
    ],
}  # fmt: skip


def load_bridging() -> int:
    """Next steps for the finished cohorts' award holders (PLAF and DLAF, a PhD, an NIHR
    bid, research lead roles) and three pre-application review slots in the coming
    weeks, one booked. Returns how many steps were made."""
    staff = db.session.scalar(select(User).where(User.email == "staff@demo.test"))
    if staff is None or db.session.scalar(select(exists().where(PathwayStep.id > 0))):
        return 0
    made = 0
    first = None
    for name, rows in STEPS.items():
        awards = _awards(name)
        for n, kind, stage, started, mentor in rows:
            if n >= len(awards):
                continue
            award = awards[n]
            step = bridging.add_step(
                award, award.holder, StepData(kind, Stage.EXPLORING, mentor, started), today()
            )
            if stage != Stage.EXPLORING:
                bridging.update_step(
                    step,
                    award.holder,
                    Stage.EXPLORING,
                    StepData(kind, stage, mentor, started),
                    today(),
                )
            first = first or award
            made += 1
    soon = datetime.combine(today() + timedelta(days=21), time(10))
    for k, reviewer in enumerate(
        [
            "A local authority fellow (DLAF) and the programme's academic lead",
            "The regional NIHR research support service adviser",
            "The programme's academic lead",
        ]
    ):
        slot = bridging.add_slot(
            staff,
            soon + timedelta(days=7 * k),
            60,
            reviewer,
            "Microsoft Teams: the link comes with the booking",
            "Send your draft application a week before.",
        )
        if k == 0 and first is not None:
            bridging.book(slot, first, first.holder)
    db.session.flush()
    return made


def _awards(name: str) -> list[Award]:
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == name))
    if cohort is None:
        return []
    return list(
        db.session.scalars(select(Award).where(Award.cohort_id == cohort.id).order_by(Award.id))
    )


# --- evaluation: each finished cohort's end-of-year survey --------------------------------

# per respondent: scores for q1..q8 (the evaluation found skills and confidence highest,
# protected time and post-programme support weakest) and what they wrote
HOLDER_ANSWERS = [
    ([5, 4, 4, 5, 4, 3, 4, 3], "My confidence grew more than I thought possible.",
     "More structured support after the programme for fellowship applications."),
    ([5, 5, 4, 5, 5, 2, 4, 3], "I now present my research to senior leaders.",
     "Protect research days like annual leave: mine were often cancelled."),
    ([4, 4, 5, 4, 4, 3, 3, 2], "It opened doors to working with a university.",
     "A handbook for managers before the year starts."),
    ([5, 4, 3, 5, 4, 2, 3, 3], "The coaching helped me speak in public.", ""),
    ([4, 3, 4, 4, 3, 3, 3, 2], "", "Help with a dissemination plan for our team."),
    ([5, 4, 4, 5, 5, 4, 4, 4], "It changed how I think about practice.", ""),
]  # fmt: skip
MANAGER_ANSWERS = [
    ([5, 3, 3, 4, 3, 3, 3, 3], "", "More contact from the programme to help with impact."),
    ([4, 4, 3, 5, 4, 2, 3, 2], "", "A formal follow-up to show what was achieved."),
]


def load_evaluation() -> int:
    """The end-of-year survey for each finished cohort, sent at the end of its year and
    answered within it: most award holders and two line managers (a group under five,
    so not shown on its own). Returns how many surveys were sent."""
    from app.evaluation import services as evaluation
    from app.evaluation.models import Group, Invitation, Survey, SurveyKind
    from app.evaluation.questions import FREE, SCALED

    staff = db.session.scalar(select(User).where(User.email == "staff@demo.test"))
    if staff is None or db.session.scalar(select(exists().where(Survey.id > 0))):
        return 0
    sent = 0
    for name in IMPACTS:
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == name))
        if cohort is None:
            continue
        opens = cohort.programme_end - timedelta(days=10)
        survey = evaluation.send_survey(
            cohort, staff, SurveyKind.END, opens, opens + timedelta(days=30), opens
        )
        sent += 1
        invitations = db.session.scalars(
            select(Invitation).where(Invitation.survey_id == survey.id).order_by(Invitation.id)
        ).all()
        for group, answers in ((Group.HOLDER, HOLDER_ANSWERS), (Group.MANAGER, MANAGER_ANSWERS)):
            mine = [i for i in invitations if i.group == group]
            for n, (scores, said, better) in enumerate(answers[: len(mine)]):
                inv = mine[n]
                evaluation.answer(
                    inv,
                    db.session.get(User, inv.user_id),
                    {q.key: s for q, s in zip(SCALED, scores, strict=True)},
                    dict(zip([q.key for q in FREE], [said, better], strict=True)),
                    anonymous=n % 3 != 2,
                    today=opens + timedelta(days=5),
                )
    db.session.flush()
    return sent
