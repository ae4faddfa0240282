"""Access matrix: bridging (an alumnus's next steps, read by the people around them and
staff; review slots staff publish and alumni book; the pipeline for staff)."""

from __future__ import annotations

from app.core.roles import Role
from tests.matrix import STAFF, Page

HOLDERS = frozenset({Role.AWARD_HOLDER})
READERS = frozenset({Role.STAFF, Role.AWARD_HOLDER, Role.LINE_MANAGER, Role.PSW, Role.SUPERVISOR})

PAGES = {
    "bridging.index": Page("/bridging/", HOLDERS | STAFF),
    "bridging.pathway": Page("/bridging/awards/{bridging_award_id}", READERS, READERS - STAFF),
    "bridging.add_step": Page("/bridging/awards/{bridging_award_id}/steps/new", HOLDERS, HOLDERS),
    "bridging.edit_step": Page("/bridging/steps/{bridging_step_id}", HOLDERS, HOLDERS),
    "bridging.slots": Page("/bridging/reviews", HOLDERS | STAFF),
    "bridging.new_slot": Page("/bridging/reviews/new", STAFF),
}

ACTIONS = {
    "bridging.book": HOLDERS,
    "bridging.cancel": HOLDERS,
}


def records(make, app) -> dict:
    from app.awards.models import Award
    from app.bridging import services
    from app.bridging.models import Stage, StepKind
    from app.core.clock import today
    from app.extensions import db

    award = make.award(cohort=make.running_cohort())
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        step = services.add_step(
            a,
            a.holder,
            services.StepData(StepKind.PLAF, Stage.EXPLORING, "Dr A Mentor", a.awarded_at.date()),
            # some tests freeze today before the factory's award date
            max(today(), a.awarded_at.date()),
        )
        db.session.commit()
        return {"bridging_award_id": a.id, "bridging_step_id": step.id}
