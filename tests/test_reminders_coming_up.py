"""Reminders coming up (issue 15, programme staff see what is scheduled): the rules run
for each of the next 14 days through the sweep's own `candidates`, nothing is written,
each reminder is listed once on the first day it will be sent, and what is recorded
already is not listed again."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import event, func, select

from app.awards.models import AwardOutput, OutputKind
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.documents.models import LearningAgreement
from app.extensions import db
from app.money.models import Category, ItemStatus, SpendingItem
from app.reminders import services
from app.reminders.models import Reminder
from app.residentials.models import Workshop
from tests.test_reminders import MONDAY, _request

WEDNESDAY = date(2026, 6, 10)


def _output_due(app, award, due: date) -> int:
    with app.app_context():
        out = db.session.scalar(
            select(AwardOutput).where(
                AwardOutput.award_id == award.id, AwardOutput.kind == OutputKind.REPORT
            )
        )
        out.due_date = due
        db.session.commit()
        return out.id


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Reminder.id))),
            db.session.scalar(select(func.count(OutboxMessage.id))),
        )


def _coming(app, start: date, **kw) -> list[tuple[date, str, int | None, str]]:
    with app.app_context():
        return [(c.day, c.kind, c.person_id, c.period) for c in services.coming_up(start, **kw)]


def test_listed_on_the_day_it_will_be_sent_and_nothing_written(app, make):
    award = make.award()
    _request(app, award, MONDAY, date(2026, 6, 29))
    _output_due(app, award, date(2026, 7, 1))
    before = _counts(app)
    coming = _coming(app, WEDNESDAY)
    assert _counts(app) == before  # nothing recorded, no email queued
    assert (date(2026, 6, 11), "study_days_pending", award.line_manager_id, "2026-06-08") in coming
    assert (date(2026, 6, 17), "output_due", award.holder_id, "2026-07-01:14") in coming
    # the 3-day one falls on 28 June: beyond the 14 days
    assert not [c for c in coming if c[3] == "2026-07-01:3"]
    # each once, on its first day, though the rules find it again every later day
    assert len([c for c in coming if c[1] == "study_days_pending"]) == 1


def test_the_sweep_records_exactly_what_the_preview_said_for_that_day(app, make):
    award = make.award()
    _request(app, award, MONDAY, date(2026, 6, 29))
    _output_due(app, award, date(2026, 6, 14))  # 3 days from Thursday
    thursday = date(2026, 6, 11)
    said = {(k, u, p) for d, k, u, p in _coming(app, thursday, days=1)}
    assert said
    services_sweep = _sweep_rows(app, thursday)
    assert services_sweep == said
    assert _coming(app, thursday, days=1) == []  # recorded now: not coming any more


def _sweep_rows(app, day: date) -> set[tuple[str, int | None, str]]:
    with app.app_context():
        services.sweep(day)
        return {
            (r.rule, r.user_id, r.period)
            for r in db.session.scalars(select(Reminder).where(Reminder.due_on == day))
        }


def test_filtered_by_person_and_kind(app, make):
    award = make.award()
    other = make.award()
    _request(app, award, MONDAY, date(2026, 6, 29))
    _output_due(app, award, date(2026, 7, 1))
    _output_due(app, other, date(2026, 7, 1))
    with app.app_context():
        from app.accounts.models import User

        holder = db.session.get(User, award.holder_id)
        name, email = holder.name, holder.email
    mine = _coming(app, WEDNESDAY, person=email.upper())
    assert mine and {u for _d, _k, u, _p in mine} == {award.holder_id}
    assert {u for _d, _k, u, _p in _coming(app, WEDNESDAY, person=name[:5])} >= {award.holder_id}
    outputs = _coming(app, WEDNESDAY, rule="output_due")
    assert {k for _d, k, _u, _p in outputs} == {"output_due"}
    assert {u for _d, _k, u, _p in outputs} >= {award.holder_id, other.holder_id}


def test_staff_page_lists_them_with_the_reason_one_will_not_be_sent(
    app, make, browser, monkeypatch
):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", WEDNESDAY)
    staff = make.user(Role.STAFF)
    award = make.award()
    _output_due(app, award, date(2026, 7, 1))
    _request(app, award, MONDAY, date(2026, 6, 29))
    from app.awards.models import Award
    from tests.test_reminder_rules import _update

    _update(app, Award, award.id, line_manager_id=None)
    browser.sign_in(staff.email)
    page = browser.get("/reminders/coming-up").get_data(as_text=True)
    assert "Your report is due 1 July 2026" in page or "is due" in page
    assert "17 June 2026" in page
    assert "No: The award has no line manager named" in page
    with app.app_context():
        from app.accounts.models import User

        email = db.session.get(User, award.holder_id).email
    page = browser.get(f"/reminders/coming-up?person={email}&kind=output_due")
    assert page.status_code == 200
    assert "line manager" not in page.get_data(as_text=True).split("<tbody")[1]
    assert browser.get("/reminders/coming-up?page=999&kind=nonsense").status_code == 200


def test_kept_for_a_while_when_asked_then_worked_out_afresh(app, make, monkeypatch):
    """At national scale the 14 passes take seconds: the list is kept for a while (not
    under tests, unless asked), the person filter applied to what is kept."""
    import time

    from tests.helpers import recorded_sql

    monkeypatch.setitem(app.config, "REMINDERS_COMING_UP_SECONDS", 120)
    monkeypatch.setattr(services, "_COMING", {})
    award = make.award()
    _output_due(app, award, date(2026, 7, 1))
    first = _coming(app, WEDNESDAY)
    other = make.award()
    _output_due(app, other, date(2026, 7, 1))
    with app.app_context(), recorded_sql(app) as statements:
        kept = [(c.day, c.kind, c.person_id, c.period) for c in services.coming_up(WEDNESDAY)]
    assert kept == first and statements == []  # from what was kept: no query
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + 121)
    assert {u for _d, _k, u, _p in _coming(app, WEDNESDAY)} >= {other.holder_id}


def _pass_a_day(start: date, days: int = 14) -> list[tuple]:
    """The list as 14 passes of the sweep's own `candidates` find it, one a day, each
    reminder on the first day it is found (what "coming up" did before rules read
    their 14 days at once)."""
    off = services.cohorts_off()
    found: dict[tuple, tuple] = {}
    for i in range(days):
        day = start + timedelta(days=i)
        for kind, due in services.candidates(day, off):
            who = due.person.id if due.person is not None else None
            key = (kind.name, due.subject_id, due.period, who)
            found.setdefault(key, (day, *key, due.title, due.link, due.text))
    return sorted(found.values(), key=repr)


def test_the_rules_read_once_for_14_days_find_what_a_pass_a_day_finds(app, make):
    """Every kind that has a window (all but the yearly impact prompt) reads its data
    once for the 14 days and decides each day: the list is the per-day one, day for
    day, and no rule asks the database again for each day."""
    make.user(Role.STAFF)
    first, second = make.award(), make.award()
    _request(app, first, MONDAY, date(2026, 6, 29))
    _request(app, second, date(2026, 6, 15), date(2026, 7, 2))  # due mid-window
    _output_due(app, first, date(2026, 6, 20))  # 14 days, 3 days and overdue inside
    _output_due(app, second, date(2026, 7, 6))
    application = make.application(make.cohort(), status="submitted")
    with app.app_context():
        db.session.get(type(application), application.id).submitted_at = datetime.combine(
            date(2026, 6, 9), time(10)
        )
        db.session.add(
            SpendingItem(
                award_id=first.id,
                category=Category.BOOKS,
                description="Research methods textbook",
                spent_on=MONDAY,
                amount_pence=4599,
                status=ItemStatus.SUBMITTED,
                submitted_at=datetime.combine(date(2026, 6, 12), time(10)),
            )
        )
        db.session.add(
            LearningAgreement(
                award_id=second.id,
                updated_at=datetime.combine(date(2026, 6, 16), time(10)),
                created_at=datetime.combine(MONDAY, time(10)),
            )
        )
        db.session.add(
            Workshop(
                cohort_id=first.cohort_id,
                number=1,
                venue="Hollins Hall",
                starts_on=date(2026, 7, 1),
                ends_on=date(2026, 7, 2),
                arrival_time=time(9, 30),
                departure_time=time(16),
            )
        )
        db.session.commit()

    with app.app_context():
        expected = _pass_a_day(WEDNESDAY)
        queries: list[str] = []

        def count(_conn, _cursor, statement, *_args):
            queries.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            coming = services.coming_up(WEDNESDAY)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    got = sorted(
        ((c.day, c.kind, c.subject_id, c.period, c.person_id, c.title, c.link) for c in coming),
        key=repr,
    )
    assert got == [row[:-1] for row in expected]
    # the test has something for every kind but the yearly impact prompt
    assert {row[1] for row in expected} >= {
        "study_days_pending",
        "psw_signoff_pending",
        "psw_signoff_overdue",
        "output_due",
        "award_items_pending",
        "agreement_unsigned",
        "residential_soon",
    }
    # each kind reads once for the 14 days: the impact prompt (no window) a query a day
    assert len(queries) < 80, len(queries)
