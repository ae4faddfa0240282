"""The national data set after the programme (issue 18) at a small scale: impact entries
dated from the award to today, written by the holder or suggested by their line manager;
pathway steps within the award's life; review slots booked once; every finished cohort's
surveys, each invitation answered at most once and as many responses per group as
answered invitations, with no key from a response to a person. The staff pages answer."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.bridging.models import PathwayStep, ReviewSlot
from app.cohorts.models import Cohort
from app.evaluation.models import Answer, Invitation, Response, Survey, SurveyKind
from app.evaluation.questions import SCALED
from app.extensions import db
from app.impact.models import EntryStatus, ImpactEntry
from tests.test_national_data import NOW, TODAY, _load


def test_after_the_programme_keeps_the_rules(app):
    summary = _load(app)
    for table in ("impact_entry", "pathway_step", "review_slot", "survey", "survey_response"):
        assert summary.counts.get(table), table
    with app.app_context():
        awards = {a.id: a for a in db.session.scalars(select(Award))}
        entries = db.session.scalars(select(ImpactEntry)).all()
        assert EntryStatus.CONFIRMED in {e.status for e in entries}
        for e in entries:
            a = awards[e.award_id]
            assert a.awarded_at.date() <= e.occurred_on <= TODAY
            assert a.cohort.programme_end < TODAY  # finished cohorts only
            assert e.created_by_id in (a.holder_id, a.line_manager_id)
            if e.created_by_id == a.holder_id:
                assert e.status == EntryStatus.CONFIRMED
            assert (e.decided_at is None) == (e.status == EntryStatus.SUGGESTED)
            assert e.created_at <= NOW
        for s in db.session.scalars(select(PathwayStep)):
            assert awards[s.award_id].awarded_at.date() <= s.started_on <= s.stage_on <= TODAY
            assert s.deadline is None or s.deadline >= s.started_on
        slots = db.session.scalars(select(ReviewSlot)).all()
        assert any(s.booked_award_id for s in slots) and any(not s.booked_award_id for s in slots)
        assert all(s.booked_at <= NOW for s in slots if s.booked_award_id)

        surveys = db.session.scalars(select(Survey)).all()
        assert {s.kind for s in surveys} == set(SurveyKind)
        finished = db.session.scalar(
            select(func.count()).select_from(Cohort).where(Cohort.programme_end < TODAY)
        )
        assert sum(s.kind == SurveyKind.END for s in surveys) == finished
        for s in surveys:
            assert s.opens_on <= TODAY and s.opens_on <= s.closes_on
            answered = Counter(
                db.session.scalars(
                    select(Invitation.group).where(
                        Invitation.survey_id == s.id, Invitation.answered.is_(True)
                    )
                )
            )
            given = Counter(
                db.session.scalars(select(Response.group).where(Response.survey_id == s.id))
            )
            assert answered == given
        per_response = Counter(
            db.session.scalars(select(Answer.response_id).where(Answer.score.is_not(None)))
        )
        assert set(per_response.values()) == {len(SCALED)}
        assert db.session.scalar(select(func.min(Answer.score))) >= 1
        assert db.session.scalar(select(func.max(Answer.score))) <= 5
        names = set(db.session.scalars(select(User.name)))
        given_names = set(
            db.session.scalars(
                select(Response.respondent_name).where(Response.respondent_name.is_not(None))
            )
        )
        assert given_names and given_names <= names
        # most answer anonymously
        total = db.session.scalar(select(func.count()).select_from(Response))
        assert len(given_names) < total / 2


def test_the_staff_pages_answer_at_that_scale(app, browser, monkeypatch):
    _load(app)
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)
    with app.app_context():
        survey_id = db.session.scalar(select(func.min(Survey.id)))
    b = browser
    b.sign_in("national-staff@bench.test", password="demo-password")
    for url in (
        "/impact/report",
        "/impact/report.csv",
        "/bridging/",
        "/bridging/reviews",
        "/evaluation/",
        f"/evaluation/surveys/{survey_id}",
        f"/evaluation/surveys/{survey_id}.csv",
        "/evaluation/compare",
        "/evaluation/compare?kind=follow_up",
    ):
        assert b.get(url).status_code == 200, url
