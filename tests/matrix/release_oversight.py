"""Access matrix: the at-risk view, cohort ledgers and CSV, residential days, calendars."""

from __future__ import annotations

from app.accounts.models import User
from app.core.roles import Role
from app.extensions import db
from app.release import calendar
from tests.matrix import STAFF, Page

OVERSEERS = frozenset({Role.STAFF, Role.PSW})
PSW = frozenset({Role.PSW})
FEED_USERS = frozenset({Role.AWARD_HOLDER, Role.LINE_MANAGER})

PAGES = {
    # a PSW sees only their authority's award holders (tests/test_release_oversight.py)
    "release.at_risk": Page("/release/at-risk", OVERSEERS),
    # the matrix's PSW has no authority with award holders in the cohort: 404
    "release.cohort_ledger": Page("/release/cohorts/{oversight_cohort_id}", OVERSEERS, PSW),
    "release.cohort_ledger_csv": Page(
        "/release/cohorts/{oversight_cohort_id}/ledger.csv", OVERSEERS, PSW
    ),
    "release.residential_new": Page("/release/cohorts/{oversight_cohort_id}/residential", STAFF),
    "release.calendar_page": Page("/release/calendar", FEED_USERS),
    # the secret in the address is the credential
    "release.calendar_feed": Page("/release/calendar/{oversight_feed_token}.ics", None),
}

ACTIONS = {
    "release.calendar_create": FEED_USERS,
    "release.calendar_revoke": FEED_USERS,
}


def records(make, app) -> dict:
    award = make.award(cohort=make.running_cohort())
    with app.test_request_context():
        holder = db.session.get(User, award.holder_id)
        token = calendar.create_feed(holder, calendar.SELF)
        db.session.commit()
    return {"oversight_cohort_id": award.cohort_id, "oversight_feed_token": token}
