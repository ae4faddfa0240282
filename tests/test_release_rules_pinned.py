"""Release ledger rules pinned at their edges:

- a request that uses exactly the last study day is accepted; half a day or a day more
  is refused whole, and changes nothing;
- a declined date goes back to the balance and can be requested again;
- the SQL at-risk rule (`oversight.pace_sql`) keeps the two-day floor for awards of
  20 days or fewer, exactly as `services.Pace` does.

Dates are in a programme running from 1 September 2026 to 31 July 2027, for an employer
in England; 1 to 12 February 2027 has no bank holiday.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.extensions import db
from app.release import oversight, services
from app.release.models import DayKind, DayStatus, ReleaseDay
from tests.helpers import text

TODAY = date(2027, 1, 11)  # a Monday
PROGRAMME = {
    "applications_open": date(2026, 3, 1),
    "applications_close": date(2026, 4, 30),
    "programme_start": date(2026, 9, 1),
    "programme_end": date(2027, 7, 31),
}
MON, TUE, WED, THU, FRI = (date(2027, 2, d) for d in range(1, 6))
NEXT_MON, NEXT_TUE = date(2027, 2, 8), date(2027, 2, 9)


def _ask(award_id: int, days: list[date], half_day: bool = False) -> list[ReleaseDay]:
    award = db.session.get(Award, award_id)
    holder = db.session.get(User, award.holder_id)
    rows, _plan = services.request_days(
        award, holder, days, half_day=half_day, note="", today=TODAY
    )
    db.session.commit()
    return rows


def _study_half_days(award_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(ReleaseDay.half_days), 0)).where(
            ReleaseDay.award_id == award_id, ReleaseDay.status.in_(services.ACTIVE)
        )
    )


def _remaining(award_id: int) -> float:
    return services.balance(db.session.get(Award, award_id))[DayKind.STUDY].remaining


@pytest.fixture
def three_days(make):
    """An award of exactly 3 study days."""
    return make.award(cohort=make.running_cohort(study_days=3, **PROGRAMME))


# The entitlement limit ------------------------------------------------------------------


def test_a_request_using_exactly_the_last_study_day_is_accepted(app, three_days):
    with app.test_request_context():
        rows = _ask(three_days.id, [MON, TUE, WED])
        assert len(rows) == 3 and _study_half_days(three_days.id) == 6
        assert _remaining(three_days.id) == 0


def test_the_last_half_day_is_accepted(app, three_days):
    with app.test_request_context():
        _ask(three_days.id, [MON, TUE])
        _ask(three_days.id, [WED], half_day=True)
        _ask(three_days.id, [THU], half_day=True)  # 3 days exactly
        assert _study_half_days(three_days.id) == 6 and _remaining(three_days.id) == 0


@pytest.mark.parametrize(
    "days,half_day,message",
    [
        ([THU], True, "0.5 days past your 3 study days"),
        ([THU], False, "1 day past your 3 study days"),
        ([THU, FRI], True, "1 day past your 3 study days"),
    ],
)
def test_half_a_day_or_a_day_past_the_last_is_refused_whole(
    app, three_days, days, half_day, message
):
    with app.test_request_context():
        _ask(three_days.id, [MON, TUE, WED])
        with pytest.raises(services.ReleaseError, match=message):
            _ask(three_days.id, days, half_day=half_day)
        db.session.rollback()
        assert _study_half_days(three_days.id) == 6


def test_a_single_request_one_day_past_the_entitlement_is_refused_whole(app, three_days):
    with app.test_request_context():
        with pytest.raises(services.ReleaseError, match="1 day past your 3 study days"):
            _ask(three_days.id, [MON, TUE, WED, THU])
        db.session.rollback()
        assert _study_half_days(three_days.id) == 0


def test_half_a_day_left_refuses_a_whole_day_and_takes_a_half(app, three_days):
    with app.test_request_context():
        _ask(three_days.id, [MON, TUE])
        _ask(three_days.id, [WED], half_day=True)  # 2.5 used
        with pytest.raises(services.ReleaseError, match="0.5 days past.*0.5 days left"):
            _ask(three_days.id, [THU])
        db.session.rollback()
        _ask(three_days.id, [THU], half_day=True)
        assert _remaining(three_days.id) == 0


def test_over_http_the_last_day_is_booked_and_one_more_refused(
    make, app, browser, monkeypatch, three_days
):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)
    with app.app_context():
        email = db.session.get(Award, three_days.id).holder.email
    browser.sign_in(email)
    url = f"/release/awards/{three_days.id}/request"

    def ask(start: date, end: date):
        data = {"how": "range", "length": "whole", "every": "1"}
        for name, d in (("start", start), ("end", end)):
            data |= {f"{name}-day": d.day, f"{name}-month": d.month, f"{name}-year": d.year}
        return browser.post(url, data)

    assert ask(MON, WED).status_code == 302  # exactly the three days
    refused = ask(THU, THU)
    assert refused.status_code == 200
    assert "This would take you 1 day past your 3 study days" in text(refused)
    assert "You have 0 days left to request" in text(refused)
    with app.app_context():
        assert _study_half_days(three_days.id) == 6


# A declined date --------------------------------------------------------------------------


def test_a_declined_date_returns_to_the_balance_and_can_be_requested_again(make, app):
    award = make.award(cohort=make.running_cohort(study_days=1, **PROGRAMME))
    with app.test_request_context():
        [row] = _ask(award.id, [MON])
        assert _remaining(award.id) == 0
        manager = db.session.get(User, db.session.get(Award, award.id).line_manager_id)
        services.decide(row, manager, approve=False, reason="Team short that day", today=TODAY)
        db.session.commit()

        balance = services.balance(db.session.get(Award, award.id))[DayKind.STUDY]
        assert (balance.requested, balance.approved, balance.remaining) == (0, 0, 1)
        # the same date again, and it uses the whole (single) day once more
        [again] = _ask(award.id, [MON])
        assert again.id != row.id and again.status == DayStatus.REQUESTED
        assert _remaining(award.id) == 0
        statuses = db.session.scalars(
            select(ReleaseDay.status).where(ReleaseDay.award_id == award.id, ReleaseDay.day == MON)
        ).all()
        assert sorted(statuses) == sorted([DayStatus.DECLINED, DayStatus.REQUESTED])


def test_a_declined_date_frees_the_entitlement_for_another_date(make, app):
    award = make.award(cohort=make.running_cohort(study_days=1, **PROGRAMME))
    with app.test_request_context():
        [row] = _ask(award.id, [MON])
        with pytest.raises(services.ReleaseError, match="1 day past your 1 study days"):
            _ask(award.id, [TUE])
        db.session.rollback()
        manager = db.session.get(User, db.session.get(Award, award.id).line_manager_id)
        services.decide(row, manager, approve=False, reason="Not that week", today=TODAY)
        db.session.commit()
        assert len(_ask(award.id, [TUE])) == 1


# The at-risk floor in SQL -----------------------------------------------------------------

# study + residential days: under the floor, at it, and the first above it
ENTITLEMENTS = [(8, 4), (14, 6), (15, 6)]  # 12, 20, 21 days


def test_sql_keeps_the_two_day_floor_for_awards_of_twenty_days_or_fewer(make, app):
    start, end = date(2026, 4, 1), date(2027, 3, 31)
    made = []
    for study, residential in ENTITLEMENTS:
        cohort = make.cohort(
            applications_open=start - timedelta(days=200),
            applications_close=start - timedelta(days=150),
            programme_start=start,
            programme_end=end,
            study_days=study,
            residential_days=residential,
        )
        made.append((cohort.id, make.award(cohort=cohort).id))
    # the 20-day award has taken one day, so it crosses the line at another time
    with app.app_context():
        db.session.add(ReleaseDay(award_id=made[1][1], day=start, status=DayStatus.TAKEN))
        db.session.commit()

    cohort_ids, award_ids = [c for c, _ in made], [a for _, a in made]
    seen: dict[int, set[tuple[int, bool]]] = {}
    with app.app_context():
        cohorts = list(db.session.scalars(select(Cohort).where(Cohort.id.in_(cohort_ids))))
        awards = {a.id: a for a in db.session.scalars(select(Award).where(Award.id.in_(award_ids)))}
        sums = services.balances_for(award_ids)
        day = start
        while day <= end:
            p_sql = oversight.pace_sql(cohorts, day)
            rows = db.session.execute(
                p_sql.join(select(Award.id, p_sql.behind, p_sql.at_risk)).where(
                    Award.id.in_(award_ids)
                )
            ).all()
            for award_id, behind, at_risk in rows:
                p = services.pace(awards[award_id], day, sums[award_id])
                assert (int(behind), bool(at_risk)) == (p.behind_tenths, p.at_risk), (day, p)
                seen.setdefault(p.entitled, set()).add((p.behind_tenths, p.at_risk))
            day += timedelta(days=1)

    # each award was seen right at its line: one tenth under (not at risk) and on it
    for entitled, line in ((12, 20), (20, 20), (21, 21)):
        assert (line - 1, False) in seen[entitled], entitled
        assert (line, True) in seen[entitled], entitled
    # under the floor, 10% of the entitlement (1.2 days) is not yet at risk
    assert (12, False) in seen[12]


@pytest.mark.parametrize(
    "entitled,line", [(0, 20), (12, 20), (19, 20), (20, 20), (21, 21), (36, 36)]
)
def test_python_threshold_at_its_edges(entitled, line):
    assert services.risk_threshold_tenths(entitled) == line
    assert services.Pace(expected_tenths=line, actual_tenths=0, entitled=entitled).at_risk
    assert not services.Pace(expected_tenths=line - 1, actual_tenths=0, entitled=entitled).at_risk
