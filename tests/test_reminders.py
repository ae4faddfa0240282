"""Reminders (issue 15, first rule): study-day requests waiting for the line manager for
3 working days are reminded once, by email through the outbox; a second sweep, a
restart or four sweeps at once send nothing more."""

from __future__ import annotations

import threading
from datetime import date, datetime

from sqlalchemy import func, select

from app.accounts.models import User, UserStatus
from app.core.mail import OutboxMessage
from app.extensions import db
from app.release.models import DayKind, DayStatus, ReleaseDay
from app.reminders.models import Reminder
from app.reminders.services import sweep

MONDAY = date(2026, 6, 8)
THURSDAY = date(2026, 6, 11)
FRIDAY = date(2026, 6, 12)


def _request(app, award, requested_on: date, *days: date, status=DayStatus.REQUESTED):
    with app.app_context():
        for day in days:
            db.session.add(
                ReleaseDay(
                    award_id=award.id,
                    day=day,
                    half_days=2,
                    kind=DayKind.STUDY,
                    status=status,
                    requested_at=datetime.combine(requested_on, datetime.min.time()),
                )
            )
        db.session.commit()


def _reminders(app, rule="study_days_pending") -> list[OutboxMessage]:
    with app.app_context():
        msgs = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == f"reminder_{rule}")
            .order_by(OutboxMessage.id)
        ).all()
        for m in msgs:
            db.session.expunge(m)
        return msgs


def at_once(app, job, runners: int = 4) -> list:
    """Run `job` in `runners` threads started together, each in its own app context (as
    separate schedulers or cron runs would); their results. Fails on any error."""
    start = threading.Barrier(runners)
    results, errors = [], []

    def runner():
        try:
            with app.app_context():
                start.wait()
                results.append(job())
                db.session.remove()
        except Exception as exc:  # pragma: no cover - shown below
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(runners)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def _sweep(app, today: date) -> int:
    with app.app_context():  # as the scheduler and the CLI run it: no request
        return sweep(today)


def test_pending_study_days_are_reminded_after_three_working_days_once(app, make):
    award = make.award()
    _request(app, award, MONDAY, date(2026, 6, 22), date(2026, 6, 23))
    assert _sweep(app, date(2026, 6, 10)) == 0  # Wednesday: two working days
    assert _sweep(app, THURSDAY) == 1
    [msg] = _reminders(app)
    with app.app_context():
        manager = db.session.get(User, award.line_manager_id)
        holder = db.session.get(User, award.holder_id)
    assert msg.to_address == manager.email and msg.to_user_id == manager.id
    assert f"{holder.name}'s study day requests are waiting" in msg.subject
    assert "asked for study leave on 8 June 2026" in msg.body
    assert "- Monday 22 June 2026\n- Tuesday 23 June 2026\n" in msg.body
    assert "/release/approvals" in msg.body
    # the next sweep, the next day, a restart: nothing more
    assert _sweep(app, THURSDAY) == 0
    assert _sweep(app, FRIDAY) == 0
    with app.app_context():
        reminder = db.session.scalar(select(Reminder))
        assert reminder.outbox_message_id == msg.id and reminder.sent_at is not None
        assert (reminder.rule, reminder.period, reminder.user_id) == (
            "study_days_pending",
            "2026-06-08",
            manager.id,
        )


def test_weekends_and_bank_holidays_are_not_working_days(app, make):
    award = make.award()
    _request(app, award, FRIDAY, date(2026, 6, 29))
    assert _sweep(app, date(2026, 6, 16)) == 0  # Sat, Sun, Mon, Tue: two working days
    assert _sweep(app, date(2026, 6, 17)) == 1
    other = make.award()
    _request(app, other, date(2026, 8, 27), date(2026, 9, 14))  # Thursday; Mon 31 Aug is a holiday
    assert _sweep(app, date(2026, 9, 1)) == 0
    assert _sweep(app, date(2026, 9, 2)) == 1


def test_answered_requests_are_not_reminded_and_a_new_batch_is(app, make):
    award = make.award()
    _request(app, award, MONDAY, date(2026, 6, 22), status=DayStatus.APPROVED)
    assert _sweep(app, FRIDAY) == 0
    _request(app, award, MONDAY, date(2026, 6, 23))
    assert _sweep(app, FRIDAY) == 1
    with app.app_context():  # answered, then new requests later: a new reminder
        db.session.execute(
            ReleaseDay.__table__.update()
            .where(ReleaseDay.status == DayStatus.REQUESTED)
            .values(status=DayStatus.APPROVED)
        )
        db.session.commit()
    _request(app, award, date(2026, 6, 15), date(2026, 6, 30))
    assert _sweep(app, date(2026, 6, 18)) == 1
    assert len(_reminders(app)) == 2


def test_a_manager_who_left_gets_nothing_and_nothing_breaks(app, make):
    award = make.award()
    _request(app, award, MONDAY, date(2026, 6, 22))
    with app.app_context():
        db.session.get(User, award.line_manager_id).status = UserStatus.DEACTIVATED
        db.session.commit()
    assert _sweep(app, FRIDAY) == 0
    assert _reminders(app) == []


def test_four_sweeps_at_once_send_each_reminder_once(app, make):
    awards = [make.award() for _ in range(3)]
    for award in awards:
        _request(app, award, MONDAY, date(2026, 6, 22))
    results = at_once(app, lambda: sweep(FRIDAY))
    assert sum(results) == 3
    assert len(_reminders(app)) == 3
    with app.app_context():
        assert db.session.scalar(select(func.count(Reminder.id))) == 3


def test_the_cli_sweeps(app, make, monkeypatch):
    award = make.award()
    _request(app, award, MONDAY, date(2026, 6, 22))
    monkeypatch.setitem(app.config, "FROZEN_TODAY", FRIDAY)
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert "Queued 1 reminder(s)." in result.output
    assert len(_reminders(app)) == 1
