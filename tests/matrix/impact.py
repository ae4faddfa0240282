"""Access matrix: the impact log (holders add and confirm, line managers, PSWs and
supervisors read and suggest, staff read) and the impact report (staff and PSWs)."""

from __future__ import annotations

from app.core.roles import Role
from tests.matrix import Page

HOLDERS = frozenset({Role.AWARD_HOLDER})
READERS = frozenset({Role.STAFF, Role.AWARD_HOLDER, Role.LINE_MANAGER, Role.PSW, Role.SUPERVISOR})
WRITERS = READERS - {Role.STAFF}
REPORTERS = frozenset({Role.STAFF, Role.PSW})

PAGES = {
    "impact.index": Page("/impact/", READERS),
    "impact.log": Page("/impact/awards/{impact_award_id}", READERS, WRITERS),
    "impact.add": Page("/impact/awards/{impact_award_id}/new", WRITERS, WRITERS),
    "impact.evidence": Page("/impact/entries/{impact_entry_id}/evidence", READERS, WRITERS),
    "impact.report_page": Page("/impact/report", REPORTERS),
    "impact.report_csv": Page("/impact/report.csv", REPORTERS),
}

ACTIONS = {
    "impact.confirm": HOLDERS,
    "impact.decline": HOLDERS,
}


def records(make, app) -> dict:
    """A completed award holder's confirmed entry with a PDF as evidence."""

    from app.awards.models import Award
    from app.core.clock import today
    from app.extensions import db
    from app.impact import services
    from app.impact.models import Category, Reach
    from tests.matrix.money import PDF

    award = make.award(cohort=make.running_cohort())
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        entry = services.add_entry(
            a,
            a.holder,
            services.EntryData(
                Category.TOOL,
                a.awarded_at.date(),
                "A practice tool",
                Reach.AUTHORITY,
            ),
            today(),
            PDF + b"impact",
            "tool.pdf",
        )
        db.session.commit()
        return {"impact_award_id": a.id, "impact_entry_id": entry.id}
