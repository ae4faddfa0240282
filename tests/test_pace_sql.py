"""The at-risk rule is stated twice: `services.Pace` (one award, in Python) and
`oversight.pace_sql` (ranking and counting in the database). They must agree exactly,
on every day of the year, on both databases, including right on the at-risk line."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.awards.models import Award
from app.extensions import db
from app.release import oversight, services
from app.release.models import DayKind, DayStatus, ReleaseDay

START, END = date(2026, 4, 1), date(2027, 3, 31)


def test_threshold_is_exact_in_tenths():
    # 36 days: 10% is 3.6 days exactly (3.6 behind is at risk; 3.5 is not)
    assert services.Pace(expected_tenths=36, actual_tenths=0, entitled=36).at_risk
    assert not services.Pace(expected_tenths=35, actual_tenths=0, entitled=36).at_risk
    # small entitlements: two days behind is the floor
    assert services.Pace(expected_tenths=20, actual_tenths=0, entitled=12).at_risk
    assert not services.Pace(expected_tenths=19, actual_tenths=0, entitled=12).at_risk
    # ahead of pace is never behind
    assert services.Pace(expected_tenths=10, actual_tenths=50, entitled=36).behind == 0


def test_expected_rounds_half_up_in_integers():
    assert services.expected_tenths(36, 0, 364) == 0
    assert services.expected_tenths(36, 364, 364) == 360
    assert services.expected_tenths(36, 183, 364) == 181  # 18.098... -> 18.1
    assert services.expected_tenths(1, 1, 20) == 1  # 0.05 -> 0.1 (half up)


@pytest.fixture
def awards(app, make):
    cohort = make.cohort(
        applications_open=START - timedelta(days=200),
        applications_close=START - timedelta(days=150),
        programme_start=START,
        programme_end=END,
    )
    made = [make.award(cohort=cohort) for _ in range(6)]
    # committed half-days per award: 0, 1 (a half day), 7, 20, 36, 72
    plans = [0, 1, 7, 20, 36, 72]
    with app.app_context():
        for award, half_days in zip(made, plans, strict=True):
            day, left = START, half_days
            while left > 0:
                unit = 1 if left == 1 else 2
                status = DayStatus.TAKEN if day.day % 2 else DayStatus.APPROVED
                db.session.add(
                    ReleaseDay(award_id=award.id, day=day, half_days=unit, status=status)
                )
                left -= unit
                day += timedelta(days=1)
            # requested, declined and called-back days never count as done
            for i, status in enumerate(
                (DayStatus.REQUESTED, DayStatus.DECLINED, DayStatus.CALLED_BACK)
            ):
                db.session.add(
                    ReleaseDay(
                        award_id=award.id,
                        day=END - timedelta(days=i),
                        status=status,
                        kind=DayKind.RESIDENTIAL,
                    )
                )
        db.session.commit()
    return cohort, made


def test_sql_and_python_agree_every_week_of_the_year(app, awards):
    cohort_ref, made = awards
    ids = [a.id for a in made]
    with app.app_context():
        from app.cohorts.models import Cohort

        cohort = db.session.get(Cohort, cohort_ref.id)
        loaded = list(db.session.scalars(select(Award).where(Award.id.in_(ids))))
        sums = services.balances_for(ids)
        checked = at_risk_seen = 0
        day = START - timedelta(days=7)
        while day <= END + timedelta(days=7):
            p_sql = oversight.pace_sql([cohort], day)
            rows = db.session.execute(
                p_sql.join(select(Award.id, p_sql.behind, p_sql.at_risk)).where(Award.id.in_(ids))
            ).all()
            from_sql = {r[0]: (int(r[1]), bool(r[2])) for r in rows}
            for a in loaded:
                p = services.pace(a, day, sums[a.id])
                assert from_sql[a.id] == (p.behind_tenths, p.at_risk), (day, a.id, p)
                checked += 1
                at_risk_seen += p.at_risk
            day += timedelta(days=3)
        assert checked > 600 and 0 < at_risk_seen < checked
