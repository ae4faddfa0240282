"""The rules: each says what is due on a day and to whom. They read each feature's own
queries (the release ledger's pace, supervision's three-way windows, the impact prompts)
rather than working the same thing out again. A rule only finds; the sweep
(`services.sweep`) records and sends, once.

Periods make a reminder go once per thing that can happen again: a resubmitted
application, an extended due date or a new agreement version is a new period."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User, UserRole, UserStatus
from app.applications.models import Application, AppStatus
from app.awards.models import OWING, Award, AwardOutput
from app.cohorts.models import Cohort
from app.core.formatting import format_date
from app.core.mail import external_url
from app.core.roles import Role
from app.core.workdays import daterange, non_working_reason
from app.documents.agreements import live_signatures
from app.documents.models import AgreementStatus, LearningAgreement, SignatoryRole
from app.extensions import db
from app.money.models import ItemStatus, SpendingItem
from app.release import services as release
from app.release.models import DayStatus, ReleaseDay
from app.reminders.registry import Due, register
from app.residentials.models import Workshop
from app.supervision import queries as supervision
from app.supervision.models import PoolKind

PENDING_WORKING_DAYS = 3  # study days; PSW sign-off's first reminder
PSW_SECOND_WORKING_DAYS = 7
APPROVAL_WORKING_DAYS = 5  # personal award items; learning agreement signatures
WORKSHOP_DAYS = (14, 2)
OUTPUT_DAYS = (14, 3)


def working_days_since(start: date, end: date, nation) -> int:
    """Working days after `start` up to and including `end`."""
    return sum(1 for d in daterange(start, end) if d > start and not non_working_reason(d, nation))


def _counter() -> Callable[[date, date, object], int]:
    """`working_days_since` for one window, whose many things are each asked once a day:
    a running count of working days a nation, so a count is a subtraction."""
    tables: dict[object, tuple[list[date], dict[date, int]]] = {}
    one = timedelta(days=1)

    def at(day: date, nation) -> int:
        """Working days from the first day the nation's table starts on, up to `day`."""
        if nation not in tables:
            tables[nation] = ([day, day], {day: 0})
        ends, table = tables[nation]
        while day > ends[1]:  # on, a day at a time
            ends[1] += one
            table[ends[1]] = table[ends[1] - one] + (non_working_reason(ends[1], nation) is None)
        while day < ends[0]:  # back
            table[ends[0] - one] = table[ends[0]] - (non_working_reason(ends[0], nation) is None)
            ends[0] -= one
        return table[day]

    def days_since(start: date, end: date, nation) -> int:
        return at(end, nation) - at(start, nation) if end > start else 0

    return days_since


def _once() -> Callable[..., list[Due]]:
    """The reminders about one thing, made once a window and given again each day they
    are due: their links and texts do not change from day to day (building them for
    each of 14 days took seconds at national scale)."""
    made: dict[tuple, list[Due]] = {}

    def once(key: tuple, make: Callable[..., Iterator[Due]], *args) -> list[Due]:
        if key not in made:
            made[key] = list(make(*args))
        return made[key]

    return once


def staff() -> list[User]:
    """Programme staff with an active account."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.STAFF, User.status == UserStatus.ACTIVE)
            .order_by(User.id)
        ).unique()
    )


def _running_awards(start: date, end: date) -> list[Award]:
    """Awards not completed whose programme runs on some day from `start` to `end`
    (`_running_on` says which day)."""
    return list(
        db.session.scalars(
            select(Award)
            .join(Cohort, Cohort.id == Award.cohort_id)
            .options(
                joinedload(Award.cohort),
                joinedload(Award.holder),
                joinedload(Award.line_manager),
            )
            .where(
                Cohort.programme_start <= end,
                Cohort.programme_end >= start,
                Award.completed_at.is_(None),
            )
            .order_by(Award.id)
        ).unique()
    )


def _running_on(award: Award, today: date) -> bool:
    return award.cohort.programme_start <= today <= award.cohort.programme_end


# Study days ------------------------------------------------------------------------------


@register(
    "study_days_pending",
    "Study days waiting for the line manager (after 3 working days)",
    "The line manager",
    mandatory=True,
    subject=Award,
    template="reminder_study_days_pending",
    windowed=True,
)
def study_days_pending(start: date, end: date) -> Callable[[date], Iterator[Due]]:
    oldest = (
        select(ReleaseDay.award_id, func.min(ReleaseDay.requested_at).label("since"))
        .where(ReleaseDay.status == DayStatus.REQUESTED)
        .group_by(ReleaseDay.award_id)
        .subquery()
    )
    waiting = [
        (award, since.date())
        for award, since in db.session.execute(
            select(Award, oldest.c.since)
            .join(oldest, oldest.c.award_id == Award.id)
            .options(
                joinedload(Award.employer),
                joinedload(Award.holder),
                joinedload(Award.line_manager),
            )
            .order_by(Award.id)
        ).unique()
    ]
    requested: dict[int, list[ReleaseDay]] = {}
    if waiting:  # one query for every award's requests, not one an award
        for row in db.session.scalars(
            select(ReleaseDay)
            .where(
                ReleaseDay.award_id.in_([a.id for a, _s in waiting]),
                ReleaseDay.status == DayStatus.REQUESTED,
            )
            .order_by(ReleaseDay.award_id, ReleaseDay.day)
        ):
            requested.setdefault(row.award_id, []).append(row)
    days_since, once = _counter(), _once()
    link = external_url("release.approvals") if waiting else ""

    def dues(award: Award, since_day: date) -> Iterator[Due]:
        yield Due(
            award.id,
            since_day.isoformat(),
            award.line_manager,
            award.cohort_id,
            link,
            f"Reminder: {award.holder.name}'s study day requests are waiting for you",
            "",
            missing="The award has no line manager named",
            extra={"award": award, "rows": requested.get(award.id, []), "since": since_day},
        )

    def on(today: date) -> Iterator[Due]:
        for award, since_day in waiting:
            if days_since(since_day, today, award.employer.nation) >= PENDING_WORKING_DAYS:
                yield from once((award.id,), dues, award, since_day)

    return on


# PSW sign-off ----------------------------------------------------------------------------


def _submitted() -> list[Application]:
    """Applications submitted and waiting for the PSW."""
    return list(
        db.session.scalars(
            select(Application)
            .options(
                joinedload(Application.applicant),
                joinedload(Application.employer),
                joinedload(Application.psw),
            )
            .where(Application.status == AppStatus.SUBMITTED, Application.submitted_at.is_not(None))
            .order_by(Application.id)
        ).unique()
    )


def _waited(apps: list[Application], days_since, today: date, at_least: int, below: int | None):
    """(application, submitted on) of those that have waited `at_least` working days on
    `today`, and fewer than `below`."""
    for a in apps:
        since = a.submitted_at.date()
        n = days_since(since, today, a.employer.nation) if a.employer else 0
        if n >= at_least and (below is None or n < below):
            yield a, since


def _psw_text(a: Application, since: date) -> str:
    return (
        f"{a.applicant.name} submitted their application on {format_date(since)}, naming you "
        "as their Principal Social Worker. It cannot be considered until you confirm the "
        "release and the strategic importance of the question, or decline with a reason."
    )


@register(
    "psw_signoff_pending",
    "PSW sign-off waiting (after 3 working days)",
    "The named PSW",
    mandatory=True,
    subject=Application,
    windowed=True,
)
def psw_signoff_pending(start: date, end: date) -> Callable[[date], Iterator[Due]]:
    apps, days_since, once = _submitted(), _counter(), _once()

    def dues(a: Application, since: date) -> Iterator[Due]:
        yield Due(
            a.id,
            f"v{a.version}",
            a.psw,
            a.cohort_id,
            external_url("applications.sign_off", application_id=a.id),
            f"Reminder: {a.applicant.name}'s application is waiting for your sign-off",
            _psw_text(a, since),
            missing="The application names no PSW",
        )

    def on(today: date) -> Iterator[Due]:
        for a, since in _waited(
            apps, days_since, today, PENDING_WORKING_DAYS, PSW_SECOND_WORKING_DAYS
        ):
            yield from once((a.id,), dues, a, since)

    return on


@register(
    "psw_signoff_overdue",
    "PSW sign-off still waiting (after 7 working days, programme staff copied)",
    "The named PSW, copied to programme staff",
    mandatory=True,
    subject=Application,
    windowed=True,
)
def psw_signoff_overdue(start: date, end: date) -> Callable[[date], Iterator[Due]]:
    team, apps, days_since, once = staff(), _submitted(), _counter(), _once()

    def dues(a: Application, since: date) -> Iterator[Due]:
        title = f"Still waiting: {a.applicant.name}'s application needs the PSW's sign-off"
        yield Due(
            a.id,
            f"v{a.version}",
            a.psw,
            a.cohort_id,
            external_url("applications.sign_off", application_id=a.id),
            title,
            _psw_text(a, since) + " This is the second reminder; programme staff have a copy.",
            missing="The application names no PSW",
        )
        psw = a.psw.name if a.psw else "the PSW"
        for person in team:
            yield Due(
                a.id,
                f"v{a.version}",
                person,
                a.cohort_id,
                external_url("selection.application_detail", application_id=a.id),
                f"Copy: {a.applicant.name}'s application is still waiting for {psw}",
                f"{a.applicant.name}'s application, submitted on {format_date(since)}, has "
                f"waited 7 working days for {psw}'s sign-off. You may want to get in touch.",
            )

    def on(today: date) -> Iterator[Due]:
        for a, since in _waited(apps, days_since, today, PSW_SECOND_WORKING_DAYS, None):
            yield from once((a.id,), dues, a, since)

    return on


# Release days ----------------------------------------------------------------------------


@register(
    "behind_pace",
    "Award holder behind pace on release days (weekly)",
    "The award holder and their line manager",
    subject=Award,
    windowed=True,
)
def behind_pace(start: date, end: date) -> Callable[[date], Iterator[Due]]:
    """The release ledger's own pace and at-risk line (`release.services.pace`)."""
    awards = _running_awards(start, end)
    sums = release.balances_for([a.id for a in awards])
    mine = external_url("release.my_ledger") if awards else ""
    ledgers: dict[int, str] = {}  # links, made once a window

    def on(today: date) -> Iterator[Due]:
        year, week, _ = today.isocalendar()
        for award in awards:
            if not _running_on(award, today):
                continue
            p = release.pace(award, today, sums.get(award.id, {}))
            if not p.at_risk:
                continue
            text = (
                f"By now about {p.expected:g} of {award.holder.name}'s {p.entitled} release days "
                f"would be approved or taken on a steady pace; {p.actual:g} are. Planning the next "
                "study days now keeps the research year on track."
            )
            if award.id not in ledgers:
                ledgers[award.id] = external_url("release.ledger", award_id=award.id)
            for person, link in (
                (award.holder, mine),
                (award.line_manager, ledgers[award.id]),
            ):
                yield Due(
                    award.id,
                    f"{year}-W{week:02d}",
                    person,
                    award.cohort_id,
                    link,
                    f"{award.holder.name} is {p.behind:g} days behind on release days",
                    text,
                    missing="The award has no line manager named",
                )

    return on


# Residential workshops -------------------------------------------------------------------


@register(
    "residential_soon",
    "Residential workshop in 14 days and in 2 days (with the timetable)",
    "Award holders in the cohort",
    subject=Workshop,
    windowed=True,
)
def residential_soon(start: date, end: date) -> Callable[[date], Iterator[Due]]:
    far, near = WORKSHOP_DAYS
    workshops = db.session.scalars(
        select(Workshop)
        .where(Workshop.starts_on >= start, Workshop.starts_on <= end + timedelta(days=far))
        .order_by(Workshop.id)
    ).all()
    holders: dict[int, list[Award]] = {}  # by workshop, read the first day it is due

    def cohort_holders(w: Workshop) -> list[Award]:
        if w.id not in holders:
            holders[w.id] = list(
                db.session.scalars(
                    select(Award)
                    .options(joinedload(Award.holder))
                    .where(Award.cohort_id == w.cohort_id, Award.completed_at.is_(None))
                    .order_by(Award.id)
                ).unique()
            )
        return holders[w.id]

    once = _once()

    def on(today: date) -> Iterator[Due]:
        for w in workshops:
            days = (w.starts_on - today).days
            if not 0 <= days <= far:
                continue
            period = f"{w.starts_on.isoformat()}:{near if days <= near else far}"
            yield from once((w.id, period), dues, w, period)

    def dues(w: Workshop, period: str) -> Iterator[Due]:
        for award in cohort_holders(w):
            yield Due(
                w.id,
                period,
                award.holder,
                w.cohort_id,
                external_url("residentials.mine"),
                f"Residential workshop {w.number} starts {format_date(w.starts_on)}",
                f"Residential workshop {w.number} is at {w.venue} from "
                f"{format_date(w.starts_on)} (arrive by {w.arrival_time.strftime('%H:%M')}) to "
                f"{format_date(w.ends_on)}. The timetable is on your residentials page.",
            )

    return on


# Outputs ---------------------------------------------------------------------------------


@register(
    "output_due",
    "Output due in 14 days, in 3 days, and overdue",
    "The award holder",
    subject=AwardOutput,
    windowed=True,
)
def output_due(start: date, end: date) -> Callable[[date], Iterator[Due]]:
    far, near = OUTPUT_DAYS
    outputs = (
        db.session.scalars(
            select(AwardOutput)
            .join(Award, Award.id == AwardOutput.award_id)
            .options(joinedload(AwardOutput.award).joinedload(Award.holder))
            .where(
                AwardOutput.due_date.is_not(None),
                AwardOutput.due_date <= end + timedelta(days=far),
                AwardOutput.status.in_(OWING),
                Award.completed_at.is_(None),
            )
            .order_by(AwardOutput.id)
        )
        .unique()
        .all()
    )

    once = _once()

    def on(today: date) -> Iterator[Due]:
        for o in outputs:
            days = (o.due_date - today).days
            if days <= far:
                when = "overdue" if days < 0 else str(near if days <= near else far)
                yield from once((o.id, when), dues, o, when)

    def dues(o: AwardOutput, when: str) -> Iterator[Due]:
        title = (
            f"Overdue: your {o.kind.label.lower()} was due {format_date(o.due_date)}"
            if when == "overdue"
            else f"Your {o.kind.label.lower()} is due {format_date(o.due_date)}"
        )
        yield Due(
            o.id,
            f"{o.due_date.isoformat()}:{when}",
            o.award.holder,
            o.award.cohort_id,
            external_url("outputs.output", output_id=o.id),
            title,
            "Upload a version and submit it from the output's page. If you need more time, "
            "ask programme staff for an extension.",
        )

    return on


# Three-way meetings ----------------------------------------------------------------------


@register(
    "three_way",
    "Three-way meeting window opening, and overdue",
    "The award holder, supervisor and line manager",
    subject=Award,
    windowed=True,
)
def three_way(start: date, end: date) -> Callable[[date], Iterator[Due]]:
    """Supervision's own windows and their status (`supervision.queries`)."""
    awards = _running_awards(start, end)
    ids = [a.id for a in awards]
    held = supervision.three_way_dates(ids)
    people = supervision.current_people(ids)
    once = _once()

    def on(today: date) -> Iterator[Due]:
        for award in awards:
            if not _running_on(award, today):
                continue
            for w in supervision.three_way_status(award.cohort, held.get(award.id, []), today):
                if w.status in ("due", "overdue"):
                    when = "open" if w.status == "due" else "overdue"
                    yield from once((award.id, w.number, when), dues, award, w, when)

    def dues(award: Award, w, when: str) -> Iterator[Due]:
        title = (
            f"Three-way meeting {w.number} for {award.holder.name}: due by {format_date(w.ends_on)}"
            if when == "open"
            else f"Three-way meeting {w.number} for {award.holder.name} is overdue"
        )
        for person, role in (
            (award.holder, "holder"),
            (people.get(award.id, {}).get(PoolKind.SUPERVISOR), "supervisor"),
            (award.line_manager, "line manager"),
        ):
            # Nobody in a role: that copy is recorded as not sent, with the reason,
            # under a period of its own (the rows of people are keyed by person, and
            # a role named later still gets its copy).
            period = f"w{w.number}:{when}"
            if person is None:
                period += f":no-{role.replace(' ', '-')}"
            yield Due(
                award.id,
                period,
                person,
                award.cohort_id,
                external_url("supervision.award", award_id=award.id),
                title,
                f"The award holder, their supervisor and line manager meet three times "
                f"in the year. Window {w.number} runs {format_date(w.starts_on)} to "
                f"{format_date(w.ends_on)}; log the meeting once it is held.",
                missing=f"The award has no {role} named, so that copy was not sent",
            )

    return on


# Personal award --------------------------------------------------------------------------


@register(
    "award_items_pending",
    "Personal award items waiting for approval (after 5 working days)",
    "Programme staff",
    subject=SpendingItem,
    windowed=True,
)
def award_items_pending(start: date, end: date) -> Callable[[date], Iterator[Due]]:
    items = (
        db.session.scalars(
            select(SpendingItem)
            .options(
                joinedload(SpendingItem.award).joinedload(Award.employer),
                joinedload(SpendingItem.award).joinedload(Award.holder),
            )
            .where(
                SpendingItem.status == ItemStatus.SUBMITTED, SpendingItem.submitted_at.is_not(None)
            )
            .order_by(SpendingItem.id)
        )
        .unique()
        .all()
    )
    days_since, team, once = _counter(), [], _once()

    def on(today: date) -> Iterator[Due]:
        due = [
            i
            for i in items
            if days_since(i.submitted_at.date(), today, i.award.employer.nation)
            >= APPROVAL_WORKING_DAYS
        ]
        if due and not team:
            team.extend(staff())
        for item in due:
            yield from once((item.id,), dues, item)

    def dues(item: SpendingItem) -> Iterator[Due]:
        for person in team:
            yield Due(
                item.id,
                item.submitted_at.date().isoformat(),
                person,
                item.award.cohort_id,
                external_url("money.queue"),
                f"A personal award item has waited 5 working days: {item.description}"[:300],
                f"{item.award.holder.name} submitted '{item.description}' on "
                f"{format_date(item.submitted_at)}. It is waiting in the approvals queue.",
            )

    return on


# Learning agreement ----------------------------------------------------------------------


@register(
    "agreement_unsigned",
    "Learning agreement waiting for a signature (after 5 working days)",
    "Whoever has not signed yet",
    subject=LearningAgreement,
    windowed=True,
)
def agreement_unsigned(start: date, end: date) -> Callable[[date], Iterator[Due]]:
    agreements = (
        db.session.scalars(
            select(LearningAgreement)
            .options(
                joinedload(LearningAgreement.award).joinedload(Award.employer),
                joinedload(LearningAgreement.award).joinedload(Award.holder),
                joinedload(LearningAgreement.award).joinedload(Award.line_manager),
                joinedload(LearningAgreement.assistant_director),
                selectinload(LearningAgreement.signatures),
            )
            .where(LearningAgreement.status == AgreementStatus.AWAITING)
            .order_by(LearningAgreement.id)
        )
        .unique()
        .all()
    )
    days_since, once = _counter(), _once()

    def on(today: date) -> Iterator[Due]:
        for ag in agreements:
            award = ag.award
            if award is None:
                continue
            since = ag.updated_at.date()
            if days_since(since, today, award.employer.nation) >= APPROVAL_WORKING_DAYS:
                yield from once((ag.id,), dues, ag, award, since)

    def dues(ag: LearningAgreement, award: Award, since: date) -> Iterator[Due]:
        signed = {s.role for s in live_signatures(ag)}
        who = {
            SignatoryRole.HOLDER: award.holder,
            SignatoryRole.LINE_MANAGER: award.line_manager,
            SignatoryRole.ASSISTANT_DIRECTOR: ag.assistant_director,
        }
        for role in SignatoryRole:
            if role in signed:
                continue
            yield Due(
                ag.id,
                f"v{ag.version}:{role.value}",
                who[role],
                award.cohort_id,
                external_url("documents.agreement", award_id=award.id),
                f"{award.holder.name}'s learning agreement is waiting for your signature",
                f"The learning agreement, ready since {format_date(since)}, needs the "
                f"{role.label.lower()}'s signature. Read it and sign it online.",
                missing=f"No {role.label.lower()} is named for the agreement",
            )

    return on


# Impact (issue 18) -----------------------------------------------------------------------


@register(
    "impact_yearly",
    "Yearly prompt to bring the impact log up to date (1, 2 and 3 years on)",
    "Alumni",
    subject=Award,
    template="reminder_impact_yearly",
)
def impact_yearly(today: date) -> Iterator[Due]:
    """Issue 18 says who is due (`impact.services.impact_prompts_due`)."""
    from app.impact.services import PROMPT_YEARS, impact_prompts_due

    for prompt in impact_prompts_due(today):
        award = db.session.get(Award, prompt.award_id)
        years = f"{prompt.year} year{'s' if prompt.year > 1 else ''}"
        yield Due(
            award.id,
            f"year-{prompt.year}",
            award.holder,
            award.cohort_id,
            external_url("impact.log", award_id=award.id),
            f"What has your research changed? Your impact log, {years} on",
            "",
            extra={
                "holder": award.holder,
                "year": prompt.year,
                "last": prompt.year == max(PROMPT_YEARS),
            },
        )
