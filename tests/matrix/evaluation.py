"""Access matrix: cohort evaluation (staff send surveys and read results; award holders,
line managers, PSWs and supervisors answer the surveys sent to them)."""

from __future__ import annotations

from app.core.roles import Role
from tests.matrix import STAFF, Page

RESPONDENTS = frozenset({Role.AWARD_HOLDER, Role.LINE_MANAGER, Role.PSW, Role.SUPERVISOR})

PAGES = {
    "evaluation.surveys": Page("/evaluation/", STAFF),
    "evaluation.send": Page("/evaluation/send", STAFF),
    "evaluation.survey": Page("/evaluation/surveys/{evaluation_survey_id}", STAFF),
    "evaluation.survey_csv": Page("/evaluation/surveys/{evaluation_survey_id}.csv", STAFF),
    "evaluation.compare": Page("/evaluation/compare", STAFF),
    "evaluation.mine": Page("/evaluation/mine", RESPONDENTS),
    # sent to someone else: a 404 for every respondent role
    "evaluation.answer": Page(
        "/evaluation/invitations/{evaluation_invitation_id}", RESPONDENTS, RESPONDENTS
    ),
}

ACTIONS: dict = {}


def records(make, app) -> dict:
    from datetime import timedelta

    from sqlalchemy import select

    from app.accounts.models import User
    from app.cohorts.models import Cohort
    from app.core.clock import today
    from app.evaluation import services
    from app.evaluation.models import Invitation, SurveyKind
    from app.extensions import db

    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        t = today()
        survey = services.send_survey(
            db.session.get(Cohort, award.cohort_id),
            db.session.get(User, staff.id),
            SurveyKind.END,
            t,
            t + timedelta(days=30),
            t,
        )
        db.session.commit()
        inv = db.session.scalar(select(Invitation).where(Invitation.survey_id == survey.id))
        return {"evaluation_survey_id": survey.id, "evaluation_invitation_id": inv.id}
