"""Demo reminders (issue 15): the real sweep over the demo programme, as the scheduler
would run it today, so staff see reminders of each kind on /reminders/ and people see
them in their notifications. A few situations are set up first so every kind has one:
applications waiting 8 and 4 working days for their PSW, study days waiting 4 for the
manager, an output due in 3 days, an award item and an
agreement waiting a week (the yearly impact prompt comes when a finished holder's
anniversary does; the last workshop's 14- and 2-day reminders are those the sweep
sent before it). Safe to run again: the sweep
records each reminder once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.applications.models import Application, AppStatus
from app.awards.models import OWING, Award, AwardOutput, OutputKind
from app.cohorts.models import Cohort
from app.core.clock import today
from app.core.mail import OutboxMessage
from app.core.workdays import non_working_reason
from app.documents.models import AgreementStatus, LearningAgreement
from app.extensions import db
from app.money.models import ItemStatus, SpendingItem
from app.release.models import DayStatus, ReleaseDay
from app.reminders.models import Reminder
from app.reminders.services import candidates, record, sweep
from app.residentials.models import Workshop


def _working_days_back(day: date, n: int, nation) -> date:
    while n:
        day -= timedelta(days=1)
        if not non_working_reason(day, nation):
            n -= 1
    return day


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10))


def _running(t: date):
    return db.session.scalars(
        select(Award)
        .join(Cohort, Cohort.id == Award.cohort_id)
        .where(Cohort.programme_start <= t, Cohort.programme_end >= t)
        .order_by(Award.id)
    ).all()


def _set_up(t: date) -> None:
    waiting = db.session.scalars(
        select(Application)
        .where(Application.status == AppStatus.SUBMITTED, Application.employer_id.is_not(None))
        .order_by(Application.id)
        .limit(2)
    ).all()
    for app_, days in zip(waiting, (8, 4), strict=False):  # past both reminders; the first
        app_.submitted_at = _at(_working_days_back(t, days, app_.employer.nation))
    asked = db.session.scalar(
        select(ReleaseDay).where(ReleaseDay.status == DayStatus.REQUESTED).order_by(ReleaseDay.id)
    )
    if asked is not None:
        nation = asked.award.employer.nation
        for row in db.session.scalars(
            select(ReleaseDay).where(
                ReleaseDay.award_id == asked.award_id, ReleaseDay.status == DayStatus.REQUESTED
            )
        ):
            row.requested_at = _at(_working_days_back(t, 4, nation))
    running = _running(t)
    if running:
        out = db.session.scalar(
            select(AwardOutput)
            .where(
                AwardOutput.award_id.in_([a.id for a in running]),
                AwardOutput.status.in_(OWING),
                # an output the outputs demo shows overdue stays overdue
                AwardOutput.due_date > t,
                # an oral presentation is due on the presentation day, which stays put
                AwardOutput.kind != OutputKind.PRESENTATION,
            )
            .order_by(AwardOutput.due_date, AwardOutput.id)
        )
        if out is not None:
            out.due_date = t + timedelta(days=3)
    item = db.session.scalar(
        select(SpendingItem)
        .where(SpendingItem.status == ItemStatus.SUBMITTED)
        .order_by(SpendingItem.id)
    )
    if item is not None:
        item.submitted_at = _at(_working_days_back(t, 6, item.award.employer.nation))
    agreement = db.session.scalar(
        select(LearningAgreement)
        .where(LearningAgreement.status == AgreementStatus.AWAITING)
        .order_by(LearningAgreement.id)
    )
    if agreement is not None:
        agreement.updated_at = _at(_working_days_back(t, 6, agreement.award.employer.nation))
    db.session.flush()


def _past_workshop(t: date) -> None:
    """The running cohort's last workshop before today, with the 14- and 2-day reminders
    the sweep sent before it, on those days. Moving a workshop to fall due instead would
    shift its timetable, the presentation day and every learning agreement that names
    its dates (and void their signatures)."""
    from app.reminders.rules import WORKSHOP_DAYS

    running = _running(t)
    if not running:
        return
    w = db.session.scalar(
        select(Workshop)
        .where(Workshop.cohort_id == running[0].cohort_id, Workshop.starts_on < t)
        .order_by(Workshop.starts_on.desc())
        .limit(1)
    )
    if w is None:
        return
    for lead in WORKSHOP_DAYS:
        day = w.starts_on - timedelta(days=lead)
        seen: set = set()
        for kind, due in candidates(day, off=set(), only={"residential_soon"}):
            if due.subject_id == w.id:
                record(kind, due, day, seen)
        db.session.flush()
        at = _at(day)
        for row in db.session.scalars(
            select(Reminder).where(Reminder.rule == "residential_soon", Reminder.due_on == day)
        ):
            row.created_at = at
            if row.sent_at is not None:
                row.sent_at = at
            if row.outbox_message_id is not None:
                msg = db.session.get(OutboxMessage, row.outbox_message_id)
                msg.created_at = at


def load_reminders() -> int:
    """Returns how many reminders the demo has."""
    t = today()
    if not db.session.scalar(select(func.count(Reminder.id))):
        _set_up(t)
        _past_workshop(t)
        sweep(t)
    return db.session.scalar(select(func.count(Reminder.id))) or 0
