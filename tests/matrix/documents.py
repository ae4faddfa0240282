"""Access matrix: documents (staff write handbooks and prepare agreements; the people
around an award holder read handbooks and agreements; the three signatories sign)."""

from __future__ import annotations

from app.core.roles import Role
from app.extensions import db
from tests.matrix import STAFF, Page

READERS = frozenset(
    {
        Role.STAFF,
        Role.AWARD_HOLDER,
        Role.LINE_MANAGER,
        Role.ASSISTANT_DIRECTOR,
        Role.PSW,
        Role.SUPERVISOR,
        Role.COACH,
    }
)
VIEWERS = READERS - {Role.PSW}
EDITORS = STAFF | {Role.AWARD_HOLDER}

PAGES = {
    "documents.index": Page("/documents/", READERS),
    "documents.cohort": Page("/documents/cohorts/{documents_cohort_id}", STAFF),
    "documents.section_new": Page(
        "/documents/cohorts/{documents_cohort_id}/handbooks/holder/sections/new", STAFF
    ),
    "documents.section_edit": Page("/documents/sections/{documents_section_id}/edit", STAFF),
    # a cohort none of whose award holders the person supports: 404
    "documents.handbook": Page(
        "/documents/cohorts/{documents_cohort_id}/handbooks/managers",
        READERS,
        not_found_for=READERS - STAFF,
    ),
    "documents.handbook_pdf": Page(
        "/documents/cohorts/{documents_cohort_id}/handbooks/holder.pdf",
        READERS,
        not_found_for=READERS - STAFF,
    ),
    "documents.acknowledgements": Page(
        "/documents/cohorts/{documents_cohort_id}/acknowledgements", STAFF
    ),
    "documents.agreements_list": Page("/documents/cohorts/{documents_cohort_id}/agreements", STAFF),
    "documents.agreement": Page(
        "/documents/agreements/{documents_award_id}", VIEWERS, not_found_for=VIEWERS - STAFF
    ),
    "documents.agreement_pdf": Page(
        "/documents/agreements/{documents_award_id}.pdf", VIEWERS, not_found_for=VIEWERS - STAFF
    ),
    "documents.agreement_edit": Page(
        "/documents/agreements/{documents_award_id}/edit",
        EDITORS,
        not_found_for=frozenset({Role.AWARD_HOLDER}),
    ),
    "documents.verify": Page("/documents/verify", STAFF),
    # only once the award holder is marked complete (set in `records`)
    "documents.certificate_pdf": Page(
        "/documents/certificates/{documents_award_id}.pdf", VIEWERS, not_found_for=VIEWERS - STAFF
    ),
}

ACTIONS = {
    "documents.section_remove": STAFF,
    "documents.standard_sections": STAFF,
    "documents.send_handbook": STAFF,
    "documents.prepare": STAFF,
    "documents.sign": VIEWERS,
    "documents.acknowledge": frozenset({Role.LINE_MANAGER, Role.PSW}),
}


def records(make, app) -> dict:
    from app.accounts.models import User
    from app.awards.models import Award
    from app.core.db import utcnow
    from app.documents import agreements, services
    from app.documents.models import HandbookKind

    award = make.award()
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        boss = db.session.get(User, staff.id)
        section = services.add_section(
            a.cohort, HandbookKind.HOLDER, boss, "Welcome", "Read this first."
        )
        agreements.prepare(a, boss)
        services.send_managers_handbook(a.cohort, boss)
        a.completed_at = utcnow()
        db.session.commit()
        return {
            "documents_cohort_id": a.cohort_id,
            "documents_award_id": a.id,
            "documents_section_id": section.id,
        }
