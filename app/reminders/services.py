"""The reminder sweep: each rule finds what is due today, and each reminder is added and
its email queued in one savepoint, so it is sent once: a second sweep (another
scheduler, cron, a restart) finds the row and skips it, and two sweeps at once meet at
the unique key, where the second gives way.

Rules so far:
- study_days_pending: study-day requests waiting for the line manager for 3 working
  days or more (one reminder per award and batch of requests, dated by the oldest).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User, UserStatus
from app.awards.models import Award
from app.core.clock import today as clock_today
from app.core.db import utcnow
from app.core.mail import external_url, queue_email
from app.core.workdays import daterange, non_working_reason
from app.extensions import db
from app.release.models import DayStatus, ReleaseDay
from app.reminders.models import Reminder

PENDING_WORKING_DAYS = 3


def working_days_since(start: date, end: date, nation) -> int:
    """Working days after `start` up to and including `end`."""
    return sum(1 for d in daterange(start, end) if d > start and not non_working_reason(d, nation))


def _pending_study_days(today: date) -> list[tuple[Award, date, list[ReleaseDay]]]:
    oldest = (
        select(ReleaseDay.award_id, func.min(ReleaseDay.requested_at).label("since"))
        .where(ReleaseDay.status == DayStatus.REQUESTED)
        .group_by(ReleaseDay.award_id)
        .subquery()
    )
    due = []
    for award, since in db.session.execute(
        select(Award, oldest.c.since).join(oldest, oldest.c.award_id == Award.id)
    ):
        since_day = since.date()
        if working_days_since(since_day, today, award.employer.nation) >= PENDING_WORKING_DAYS:
            rows = db.session.scalars(
                select(ReleaseDay)
                .where(ReleaseDay.award_id == award.id, ReleaseDay.status == DayStatus.REQUESTED)
                .order_by(ReleaseDay.day)
            ).all()
            due.append((award, since_day, rows))
    return due


def _already(rule: str, subject_id: int, period: str, user_id: int) -> bool:
    return db.session.scalar(
        select(
            exists().where(
                Reminder.rule == rule,
                Reminder.subject_id == subject_id,
                Reminder.period == period,
                Reminder.user_id == user_id,
            )
        )
    )


def _send(rule, subject_id, period, person: User, due_on, link, subject, template, **ctx) -> bool:
    """Add the reminder and queue its email in one savepoint; False if it was there."""
    if _already(rule, subject_id, period, person.id):
        return False
    try:
        with db.session.begin_nested():
            msg = queue_email(person.email, subject, template, user=person, url=link, **ctx)
            db.session.flush()
            db.session.add(
                Reminder(
                    rule=rule,
                    subject_id=subject_id,
                    period=period,
                    user_id=person.id,
                    due_on=due_on,
                    link=link,
                    sent_at=utcnow(),
                    outbox_message_id=msg.id,
                )
            )
    except IntegrityError:  # another sweep added it first: its email is the one
        return False
    return True


def sweep(today: date | None = None) -> int:
    """Queue every reminder due today that was not sent before. Commits. Returns how
    many were queued."""
    today = today or clock_today()
    sent = 0
    for award, since, rows in _pending_study_days(today):
        manager = award.line_manager
        if manager is None or manager.status != UserStatus.ACTIVE or not manager.email:
            continue
        sent += _send(
            "study_days_pending",
            award.id,
            since.isoformat(),
            manager,
            today,
            external_url("release.approvals"),
            f"Reminder: {award.holder.name}'s study day requests are waiting for you",
            "reminder_study_days_pending",
            award=award,
            rows=rows,
            since=since,
        )
    db.session.commit()
    return sent
