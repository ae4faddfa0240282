"""Demo release ledgers: the two finished cohorts' study days, and the running cohort
(2026-27) at different stages.

holder@demo.test is on track; applicant1 has fallen behind (a frontline manager kept
calling them back); applicant2 has declined and cancelled days; applicant3 is planning.
Everything goes through the real services, so balances come from the ledger.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.workdays import non_working_reason
from app.extensions import db
from app.release import services
from app.release.models import ReleaseDay

DEMO_TODAY = date(2026, 11, 20)
RESIDENTIALS = [date(2026, 5, 12), date(2026, 5, 13), date(2026, 10, 6), date(2026, 10, 7)]


def _award(cohort: Cohort, email: str) -> Award | None:
    return db.session.scalar(
        select(Award)
        .join(User, User.id == Award.holder_id)
        .where(Award.cohort_id == cohort.id, User.email == email)
    )


def _thursdays(start: date, count: int, nation) -> list[date]:
    out, d = [], start + timedelta(days=(3 - start.weekday()) % 7)
    while len(out) < count:
        if non_working_reason(d, nation) is None:
            out.append(d)
        d += timedelta(days=7)
    return out


def _history(award: Award, days: list[date], outcomes: list[str]) -> None:
    """Request each day before it came, have the manager decide, then confirm."""
    holder, manager = award.holder, award.line_manager
    staff = db.session.scalar(select(User).where(User.email == "staff@demo.test"))
    for d in RESIDENTIALS:
        services.record_residential(award, staff, d, half_day=False, today=DEMO_TODAY)
    for d, outcome in zip(days, outcomes, strict=False):
        asked = d - timedelta(days=14)
        rows, _ = services.request_days(
            award,
            holder,
            [d],
            half_day=False,
            note="Literature review" if d.month < 8 else "Interviews",
            today=asked,
        )
        row = rows[0]
        if outcome == "requested":
            continue
        if outcome == "declined":
            services.decide(
                row,
                manager,
                approve=False,
                reason="Duty cover is short that week; please choose another day.",
                today=asked,
            )
            continue
        services.decide(row, manager, approve=True, reason="", today=asked)
        if outcome == "cancelled":
            services.cancel(row, holder, reason="", today=asked)
        elif outcome == "taken" and d <= DEMO_TODAY:
            services.confirm(row, holder, taken=True, reason="", today=DEMO_TODAY)
        elif outcome == "called_back" and d <= DEMO_TODAY:
            services.confirm(
                row,
                holder,
                taken=False,
                reason="Called in to cover a child protection conference.",
                today=DEMO_TODAY,
            )


def _finished_year(cohort: Cohort) -> int:
    """A past cohort's year as the evaluation tells it: nearly every award holder took
    their study days (a Thursday a week); one was called back often and left days
    unused. Bulk requests, each approved, then confirmed after the day."""
    awards = db.session.scalars(
        select(Award).where(Award.cohort_id == cohort.id).order_by(Award.id)
    ).all()
    created = 0
    for i, award in enumerate(awards):
        if award.line_manager is None or db.session.scalar(
            select(ReleaseDay.id).where(ReleaseDay.award_id == award.id).limit(1)
        ):
            continue
        nation = award.employer.nation
        start = cohort.programme_start + timedelta(days=21)
        wanted = award.study_days - (8 if i == len(awards) - 1 else 0)
        days = _thursdays(start, wanted, nation)
        asked = cohort.programme_start
        rows, _ = services.request_days(
            award, award.holder, days, half_day=False, note="Research day", today=asked
        )
        for row in rows:
            services.decide(row, award.line_manager, approve=True, reason="", today=asked)
            services.confirm(row, award.holder, taken=True, reason="", today=row.day)
        created += len(rows)
    return created


def load_ledgers() -> int:
    created = 0
    for name in ("2022-23", "2023-24"):
        past = db.session.scalar(select(Cohort).where(Cohort.name == name))
        if past is not None:
            created += _finished_year(past)
    return created + _running_year()


def _running_year() -> int:
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "2026-27"))
    if cohort is None:
        return 0
    first = _award(cohort, "holder@demo.test")
    if first is None or db.session.scalar(
        select(ReleaseDay.id).where(ReleaseDay.award_id == first.id).limit(1)
    ):
        return 0
    nation = first.employer.nation
    start = cohort.programme_start
    created = 0
    # On track: a Thursday most weeks since the start, all taken; the next four approved;
    # two more waiting for the manager.
    days = _thursdays(start + timedelta(days=70), 26, nation)
    past = [d for d in days if d <= DEMO_TODAY]
    future = [d for d in days if d > DEMO_TODAY]
    _history(
        first,
        days,
        ["taken"] * len(past)
        + ["approved", "approved", "requested"]
        + ["requested"] * max(0, len(future) - 3),
    )
    created += len(days)

    behind = _award(cohort, "applicant1@demo.test")
    if behind is not None:
        days = _thursdays(start + timedelta(days=30), 9, behind.employer.nation)
        _history(
            behind,
            days,
            [
                "taken",
                "called_back",
                "taken",
                "called_back",
                "declined",
                "called_back",
                "taken",
                "requested",
                "requested",
            ],
        )
        created += len(days)

    mixed = _award(cohort, "applicant2@demo.test")
    if mixed is not None:
        days = _thursdays(start + timedelta(days=21), 16, mixed.employer.nation)
        _history(
            mixed,
            days,
            [
                "taken",
                "taken",
                "declined",
                "taken",
                "cancelled",
                "taken",
                "taken",
                "taken",
                "taken",
                "taken",
                "taken",
                "taken",
                "approved",
                "approved",
                "requested",
                "requested",
            ],
        )
        created += len(days)

    planning = _award(cohort, "applicant3@demo.test")
    if planning is not None:
        n = planning.employer.nation
        days = _thursdays(start + timedelta(days=28), 15, n) + _thursdays(DEMO_TODAY, 4, n)
        _history(planning, days, ["taken"] * 15 + ["approved"] * 2 + ["requested"] * 2)
        created += len(days)
    return created
