"""Access matrix: required outputs (holders upload and share, supervisors and staff give
feedback, line managers read, staff run cohorts) and the showcase."""

from __future__ import annotations

from app.core.roles import Role
from tests.matrix import ALL, STAFF, Page

HOLDERS = frozenset({Role.AWARD_HOLDER})
READERS = frozenset({Role.STAFF, Role.AWARD_HOLDER, Role.LINE_MANAGER, Role.SUPERVISOR})
NOT_THEIRS = READERS - STAFF
# the matrix's users belong to no organisation: only staff take part in the showcase
NON_PARTICIPANTS = ALL - STAFF

PAGES = {
    "outputs.mine": Page("/outputs/", HOLDERS),
    "outputs.award": Page("/outputs/awards/{outputs_award_id}", READERS, NOT_THEIRS),
    "outputs.output": Page("/outputs/{outputs_output_id}", READERS, NOT_THEIRS),
    "outputs.version_file": Page(
        "/outputs/versions/{outputs_version_id}/file", READERS, NOT_THEIRS
    ),
    "outputs.consent": Page("/outputs/{outputs_output_id}/showcase", HOLDERS, HOLDERS),
    "outputs.extend": Page("/outputs/{outputs_output_id}/due-date", STAFF),
    "outputs.people": Page("/outputs/people", frozenset({Role.SUPERVISOR, Role.LINE_MANAGER})),
    "outputs.cohorts": Page("/outputs/cohorts", STAFF),
    "outputs.cohort": Page("/outputs/cohorts/{outputs_cohort_id}", STAFF),
    "outputs.cohort_csv": Page("/outputs/cohorts/{outputs_cohort_id}.csv", STAFF),
    "outputs.output_type": Page("/outputs/cohorts/{outputs_cohort_id}/types/poster", STAFF),
    "outputs.showcase_page_edit": Page("/outputs/cohorts/{outputs_cohort_id}/showcase-page", STAFF),
    "outputs.showcase_index": Page("/outputs/showcase", ALL, NON_PARTICIPANTS),
    "outputs.showcase_entry": Page("/outputs/showcase/{outputs_output_id}", ALL, NON_PARTICIPANTS),
    "outputs.showcase_file": Page(
        "/outputs/showcase/{outputs_output_id}/file", ALL, NON_PARTICIPANTS
    ),
    "outputs.showcase_cohort": Page(
        "/outputs/showcase/cohorts/{outputs_cohort_id}", ALL, NON_PARTICIPANTS
    ),
}

ACTIONS = {
    "outputs.upload": HOLDERS,
    "outputs.submit": HOLDERS,
    "outputs.feedback": frozenset({Role.STAFF, Role.SUPERVISOR}),
    "outputs.complete": STAFF,
}


def records(make, app) -> dict:
    """An accepted, shared report in a published cohort showcase page."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.awards.models import Award, AwardOutput, OutputKind
    from app.extensions import db
    from app.outputs import services
    from app.outputs.models import Decision
    from tests.matrix.money import PDF

    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        s = db.session.get(User, staff.id)
        o = db.session.scalar(
            select(AwardOutput).where(
                AwardOutput.award_id == a.id, AwardOutput.kind == OutputKind.REPORT
            )
        )
        v = services.add_version(o, a.holder, PDF + b"outputs", "report.pdf", None)
        services.submit(o, a.holder)
        services.give_feedback(o, s, Decision.ACCEPT, "", None)
        services.set_consent(
            o, a.holder, showcase=True, contact=True, title="Caseload weighting", topic=""
        )
        services.set_showcase_page(a.cohort, s, publish=True, introduction="")
        db.session.commit()
        return {
            "outputs_award_id": a.id,
            "outputs_output_id": o.id,
            "outputs_version_id": v.id,
            "outputs_cohort_id": a.cohort_id,
        }
