"""Access matrix: PSW sign-off lists and programme staff selection pages."""

from __future__ import annotations

from app.core.roles import Role
from tests.matrix import STAFF, Page

PSW = frozenset({Role.PSW})

PAGES = {
    "applications.sign_off_list": Page("/applications/sign-off", PSW),
    "selection.cohort_list": Page("/selection/", STAFF),
    "selection.cohort_detail": Page("/selection/cohorts/{selection_cohort_id}", STAFF),
    "selection.application_detail": Page(
        "/selection/applications/{selection_application_id}", STAFF
    ),
    "selection.profile": Page("/selection/cohorts/{selection_cohort_id}/profile", STAFF),
    "selection.profile_csv": Page("/selection/cohorts/{selection_cohort_id}/profile.csv", STAFF),
}

ACTIONS = {
    "selection.reveal_scores": STAFF,
    "selection.review": STAFF,
    "selection.decide": STAFF,
}


def records(make, app) -> dict:
    cohort = make.cohort()
    endorsed = make.application(cohort, status="endorsed")
    make.application(cohort, status="awarded")
    return {"selection_cohort_id": cohort.id, "selection_application_id": endorsed.id}
