"""Access matrix: the applicant's application pages and PSW sign-off."""

from __future__ import annotations

from app.core.roles import Role
from tests.matrix import Page

APPLICANTS = frozenset({Role.APPLICANT, Role.AWARD_HOLDER})
PSW = frozenset({Role.PSW})

PAGES = {
    # someone else's application: 404 for any applicant who is not its owner
    "applications.overview": Page(
        "/applications/{application_id}", APPLICANTS, not_found_for=APPLICANTS
    ),
    "applications.sign_off": Page(
        "/applications/{application_id}/sign-off", PSW, not_found_for=PSW
    ),
}


def records(make, app) -> dict:
    cohort = make.cohort()
    application = make.application(cohort, status="submitted")
    return {"application_id": application.id, "cohort_id": cohort.id}
