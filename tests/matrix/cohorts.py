"""Access matrix: cohort set-up (staff), public cohort pages, PSW priority areas."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.cohorts.models import EventKind, PriorityArea, RecruitmentEvent
from app.core.roles import Role
from app.extensions import db
from tests.matrix import STAFF, Page

PSW = frozenset({Role.PSW})

PAGES = {
    "cohorts.index": Page("/cohorts/", None),
    "cohorts.show": Page("/cohorts/{cohorts_cohort_id}", None),
    "cohorts.manage": Page("/cohorts/manage", STAFF),
    "cohorts.create": Page("/cohorts/manage/new", STAFF),
    "cohorts.detail": Page("/cohorts/manage/{cohorts_cohort_id}", STAFF),
    "cohorts.edit": Page("/cohorts/manage/{cohorts_cohort_id}/edit", STAFF),
    "cohorts.add_event": Page("/cohorts/manage/{cohorts_cohort_id}/events/new", STAFF),
    # a PSW sees only their own authority's areas here (tested in tests/test_cohorts.py)
    "cohorts.priorities": Page("/cohorts/{cohorts_cohort_id}/priorities", PSW),
}

ACTIONS = {
    "cohorts.remove_event": STAFF,
    "cohorts.withdraw_priority": PSW,
}


def records(make, app) -> dict:
    cohort = make.cohort()
    org = make.org()
    psw = make.user(Role.PSW, orgs=[org])
    with app.app_context():
        start = datetime(2030, 1, 15, 14, 0)
        event = RecruitmentEvent(
            cohort_id=cohort.id,
            kind=EventKind.QA_SESSION,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            joining_details="Teams link",
        )
        area = PriorityArea(
            cohort_id=cohort.id,
            organisation_id=org.id,
            title="Hospital discharge",
            published_by_id=psw.id,
        )
        db.session.add_all([event, area])
        db.session.commit()
        return {
            "cohorts_cohort_id": cohort.id,
            "cohorts_event_id": event.id,
            "cohorts_area_id": area.id,
        }
