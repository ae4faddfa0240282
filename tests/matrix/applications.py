"""Access matrix: the applicant's application pages and PSW sign-off."""

from __future__ import annotations

from app.core.roles import Role
from tests.matrix import Page

APPLICANTS = frozenset({Role.APPLICANT, Role.AWARD_HOLDER})
PSW = frozenset({Role.PSW})


def _theirs(path: str) -> Page:
    """A page of someone else's application: 404 for any applicant who is not its owner."""
    return Page("/applications/{application_id}" + path, APPLICANTS, not_found_for=APPLICANTS)


PAGES = {
    "applications.index": Page("/applications/", APPLICANTS),
    "applications.overview": _theirs(""),
    "applications.section": _theirs("/personal"),
    "applications.check_answers": _theirs("/check-answers"),
    "applications.submitted": _theirs("/submitted"),
    "applications.withdraw": _theirs("/withdraw"),
    "applications.reopen": _theirs("/change"),
    "applications.sign_off": Page(
        "/applications/{application_id}/sign-off", PSW, not_found_for=PSW
    ),
    # the PSW's own list (owned by the sign-off feature)
    "applications.sign_off_list": Page("/applications/sign-off", PSW),
}

ACTIONS = {
    "applications.start": APPLICANTS,  # POST only; tested in test_application_journey.py
}


def records(make, app) -> dict:
    cohort = make.cohort()
    application = make.application(cohort, status="submitted")
    return {"application_id": application.id, "cohort_id": cohort.id}
