"""Access matrix: the release ledger (award holder's ledger, manager's approvals)."""

from __future__ import annotations

from datetime import timedelta

from app.core.roles import Role
from app.core.workdays import non_working_reason
from app.extensions import db
from app.release.models import DayKind, DayStatus, ReleaseDay
from tests.matrix import ALL, STAFF, Page

MANAGERS = frozenset({Role.LINE_MANAGER})
HOLDERS = frozenset({Role.AWARD_HOLDER})
HOLDERS_AND_MANAGERS = HOLDERS | MANAGERS

PAGES = {
    # the signed-in award holder's own ledger (a new award holder has none yet: 200)
    "release.my_ledger": Page("/release/", HOLDERS),
    # someone else's ledger: 404 for everyone but programme staff (a PSW of another
    # employer, an unrelated manager...). The holder's own ledger is tested elsewhere.
    "release.ledger": Page("/release/awards/{award_id}", ALL, not_found_for=ALL - STAFF),
    "release.request_days": Page(
        "/release/awards/{award_id}/request", HOLDERS, not_found_for=HOLDERS
    ),
    "release.cancel": Page(
        "/release/days/{release_day_id}/cancel",
        HOLDERS_AND_MANAGERS,
        not_found_for=HOLDERS_AND_MANAGERS,
    ),
    "release.confirm": Page(
        "/release/days/{release_day_id}/confirm", HOLDERS, not_found_for=HOLDERS
    ),
    # a manager with no staff sees an empty list (their own staff only)
    "release.approvals": Page("/release/approvals", MANAGERS),
    "release.delegations": Page("/release/delegations", MANAGERS),
}

ACTIONS = {
    "release.end_delegation": MANAGERS,
}


def records(make, app) -> dict:
    award = make.award(cohort=make.running_cohort())
    with app.app_context():
        from app.awards.models import Award

        a = db.session.get(Award, award.id)
        day = a.cohort.programme_start + timedelta(days=14)
        while non_working_reason(day, a.employer.nation):
            day += timedelta(days=1)
        row = ReleaseDay(
            award_id=a.id, day=day, kind=DayKind.STUDY, status=DayStatus.APPROVED, half_days=2
        )
        db.session.add(row)
        db.session.commit()
        return {"award_id": award.id, "release_day_id": row.id}
