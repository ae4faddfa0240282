"""Unit tests of the release ledger rules."""

from __future__ import annotations

import os
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.awards.models import Award
from app.core.roles import Role
from app.core.workdays import non_working_reason
from app.extensions import db
from app.organisations.models import Nation
from app.release import services
from app.release.models import DayKind, DayStatus, ReleaseDay


@pytest.mark.parametrize(
    "day,nation,expected",
    [
        (
            date(2027, 1, 4),
            Nation.SCOTLAND,
            "bank holiday",
        ),  # New Year holiday (observed), Scotland
        (date(2027, 1, 4), Nation.ENGLAND_AND_WALES, None),
        (date(2027, 3, 17), Nation.NORTHERN_IRELAND, "bank holiday"),  # St Patrick's Day
        (date(2027, 3, 17), Nation.ENGLAND_AND_WALES, None),
        (date(2027, 8, 2), Nation.SCOTLAND, "bank holiday"),  # Summer bank holiday, Scotland
        (date(2027, 8, 30), Nation.ENGLAND_AND_WALES, "bank holiday"),
        (date(2027, 8, 30), Nation.SCOTLAND, None),
        (date(2027, 3, 20), Nation.ENGLAND_AND_WALES, "Saturday"),
    ],
)
def test_bank_holidays_by_nation(day, nation, expected):
    reason = non_working_reason(day, nation)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith(expected)


def _ctx_award(app, award_id):
    award = db.session.get(Award, award_id)
    return award, db.session.get(User, award.holder_id)


def _weekdays(start: date, n: int) -> list[date]:
    out, d = [], start
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def test_request_skips_weekends_and_refuses_past_entitlement(make, app):
    award = make.award(cohort=make.running_cohort(study_days=6))
    with app.test_request_context():
        a, holder = _ctx_award(app, award.id)
        start = a.cohort.programme_start + timedelta(days=30)
        rows, plan = services.request_days(
            a,
            holder,
            services.dates_for_range(start, start + timedelta(days=6)),
            half_day=False,
            note="",
            today=start,
        )
        assert len(rows) + len(plan.skipped) == 7
        assert any(why in ("Saturday", "Sunday") for _d, why in plan.skipped)
        assert len(rows) <= 5
        more = [
            d
            for d in _weekdays(start + timedelta(days=40), 12)
            if not non_working_reason(d, a.employer.nation)
        ][: 6 - len(rows) + 2]
        # asking for 2 more days than are left is refused whole, saying by how much
        with pytest.raises(services.ReleaseError, match="2 days past your 6 study days"):
            services.request_days(a, holder, more, half_day=False, note="", today=start)


def test_date_cannot_be_booked_twice_even_bypassing_the_service(make, app):
    from sqlalchemy.exc import IntegrityError

    award = make.award(cohort=make.running_cohort())
    with app.test_request_context():
        a, holder = _ctx_award(app, award.id)
        day = _weekdays(a.cohort.programme_start + timedelta(days=20), 1)[0]
        if non_working_reason(day, a.employer.nation):
            day += timedelta(days=7)
        services.request_days(a, holder, [day], half_day=False, note="", today=day)
        db.session.commit()
        with pytest.raises(services.ReleaseError, match="already in your ledger"):
            services.request_days(a, holder, [day], half_day=False, note="", today=day)
        db.session.rollback()
        db.session.add(
            ReleaseDay(
                award_id=a.id, day=day, half_days=2, kind=DayKind.STUDY, status=DayStatus.REQUESTED
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_cancelled_day_returns_to_balance(make, app):
    award = make.award(cohort=make.running_cohort())
    with app.test_request_context():
        a, holder = _ctx_award(app, award.id)
        today = a.cohort.programme_start + timedelta(days=10)
        days = [
            d
            for d in _weekdays(today + timedelta(days=7), 6)
            if not non_working_reason(d, a.employer.nation)
        ][:2]
        rows, _ = services.request_days(a, holder, days, half_day=True, note="", today=today)
        manager = db.session.get(User, a.line_manager_id)
        services.decide(rows[0], manager, approve=True, reason="", today=today)
        b = services.balance(a)[DayKind.STUDY]
        assert (b.approved, b.requested, b.remaining) == (0.5, 0.5, a.study_days - 1)
        services.cancel(rows[0], holder, reason="", today=today)
        b = services.balance(a)[DayKind.STUDY]
        assert (b.approved, b.remaining) == (0, a.study_days - 0.5)


def test_only_the_line_manager_or_delegate_decides(make, app):
    employer = make.org()
    other_manager = make.user(Role.LINE_MANAGER, orgs=[employer])
    award = make.award(cohort=make.running_cohort(), employer=employer)
    with app.test_request_context():
        a, holder = _ctx_award(app, award.id)
        today = a.cohort.programme_start + timedelta(days=10)
        day = next(
            d
            for d in _weekdays(today + timedelta(days=3), 5)
            if not non_working_reason(d, a.employer.nation)
        )
        rows, _ = services.request_days(a, holder, [day], half_day=False, note="", today=today)
        stranger = db.session.get(User, other_manager.id)
        with pytest.raises(services.ReleaseError, match="line manager"):
            services.decide(rows[0], stranger, approve=True, reason="", today=today)
        manager = db.session.get(User, a.line_manager_id)
        services.add_delegation(manager, stranger, today, today + timedelta(days=5))
        services.decide(rows[0], stranger, approve=True, reason="", today=today)
        assert rows[0].decided_by_id == stranger.id and rows[0].decided_for_id == manager.id


def test_pace_flags_someone_behind(make, app):
    award = make.award(cohort=make.running_cohort())
    with app.test_request_context():
        a, _ = _ctx_award(app, award.id)
        midway = a.cohort.programme_start + (a.cohort.programme_end - a.cohort.programme_start) / 2
        p = services.pace(a, midway)
        assert p.expected == pytest.approx(18, abs=0.2) and p.actual == 0 and p.at_risk


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="concurrency under row locks is tested on PostgreSQL",
)
def test_concurrent_requests_cannot_exceed_entitlement(make, app):
    award = make.award(cohort=make.running_cohort(study_days=2))
    with app.app_context():
        a = db.session.get(Award, award.id)
        start = a.cohort.programme_start + timedelta(days=30)
        candidates = [
            d for d in _weekdays(start, 10) if not non_working_reason(d, a.employer.nation)
        ]
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def worker(days):
        with app.test_request_context():
            a2, holder = _ctx_award(app, award.id)
            barrier.wait()
            try:
                services.request_days(a2, holder, days, half_day=False, note="", today=start)
                db.session.commit()
                outcomes.append("ok")
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                outcomes.append(type(exc).__name__)
            finally:
                db.session.remove()

    # four clients each ask for 2 different days (and two of them share a date)
    sets = [candidates[0:2], candidates[2:4], candidates[4:6], candidates[1:3]]
    threads = [threading.Thread(target=worker, args=(s,)) for s in sets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    with app.app_context():
        total = db.session.scalar(
            select(db.func.sum(ReleaseDay.half_days)).where(ReleaseDay.award_id == award.id)
        )
        assert total == 4
