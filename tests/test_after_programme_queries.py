"""Query counts for the bridging and evaluation pages: review slots, the pipeline, a
pathway and a survey's results (page and CSV) make as many queries with 100 records
behind them as with 10."""

from __future__ import annotations

from datetime import timedelta

from app.bridging.models import PathwayStep, ReviewSlot, Stage, StepKind
from app.core.db import utcnow
from app.core.roles import Role
from app.evaluation.models import Answer, Group, Response, Survey, SurveyKind
from app.evaluation.questions import SCALED
from app.extensions import db
from tests.test_impact import TODAY, finished
from tests.test_query_counts import assert_flat, page_queries


def _seed(app, award_id, cohort_id, n):
    with app.app_context():
        survey = db.session.query(Survey).filter_by(cohort_id=cohort_id).first()
        if survey is None:
            survey = Survey(
                cohort_id=cohort_id,
                kind=SurveyKind.END,
                opens_on=TODAY,
                closes_on=TODAY + timedelta(days=10),
            )
            db.session.add(survey)
            db.session.flush()
        for i in range(n):
            db.session.add(
                PathwayStep(
                    award_id=award_id,
                    kind=list(StepKind)[i % 7],
                    stage=list(Stage)[i % 5],
                    started_on=TODAY,
                    stage_on=TODAY,
                    mentor="",
                )
            )
            db.session.add(
                ReviewSlot(
                    starts_at=utcnow() + timedelta(days=1 + i),
                    minutes=60,
                    reviewer=f"Reviewer {i}",
                    where="Teams",
                    booked_award_id=award_id if i % 2 else None,
                    booked_at=utcnow() if i % 2 else None,
                )
            )
            r = Response(survey_id=survey.id, group=list(Group)[i % 4])
            db.session.add(r)
            db.session.flush()
            for q in SCALED:
                db.session.add(Answer(response_id=r.id, question=q.key, score=1 + i % 5))
            db.session.add(Answer(response_id=r.id, question="t1", text=f"Said {i}"))
        db.session.commit()
        return survey.id


def test_bridging_and_evaluation_pages_do_not_grow(app, make, browser):
    award = finished(make, app)
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    survey_id = _seed(app, award.id, award.cohort_id, 10)
    urls = [
        "/bridging/",
        "/bridging/reviews",
        f"/bridging/awards/{award.id}",
        f"/evaluation/surveys/{survey_id}",
        f"/evaluation/surveys/{survey_id}.csv",
        "/evaluation/compare",
    ]
    at_10 = {u: page_queries(app, browser, u) for u in urls}
    _seed(app, award.id, award.cohort_id, 90)
    at_100 = {u: page_queries(app, browser, u) for u in urls}
    for u in urls:
        assert_flat(u, at_10[u], at_100[u])
