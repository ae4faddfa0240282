"""The demo's impact logs: the impacts the evaluation describes, in the finished cohorts'
logs, dated after each cohort's year and by the evaluation's interviews, some suggested
by a manager or PSW and confirmed, one suggestion waiting; loading twice adds nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.awards.models import Award
from app.extensions import db
from app.impact import report
from app.impact.models import Category, EntryStatus, ImpactEntry


def test_demo_impact(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        count = db.session.scalar(select(func.count(ImpactEntry.id)))
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(ImpactEntry.id))) == count >= 20
        entries = db.session.scalars(select(ImpactEntry).join(Award)).all()
        for e in entries:
            assert e.award.awarded_at.date() <= e.occurred_on <= date(2025, 1, 31)
            assert e.occurred_on >= e.award.cohort.programme_end.replace(day=1, month=7)
        statuses = [e.status for e in entries]
        assert statuses.count(EntryStatus.SUGGESTED) == 1
        assert sum(1 for e in entries if e.suggested and e.status == EntryStatus.CONFIRMED) >= 3
        six = [e for e in entries if "six local authorities" in e.description]
        assert six and six[0].evidence_file_id is not None
        r = report.build(None).programme
        assert r.category[Category.PROMOTION] >= 5 and r.category[Category.MEDIA] == 2
        assert all(r.category[c] for c in Category)
        assert "Year 1" in r.year and "Year 2" in r.year


def test_demo_bridging(app):
    from app.bridging.models import PathwayStep, ReviewSlot, Stage

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        steps = db.session.scalars(select(PathwayStep)).all()
        assert len(steps) == 8
        assert {s.stage for s in steps} == {
            Stage.EXPLORING,
            Stage.PREPARING,
            Stage.SUBMITTED,
            Stage.AWARDED,
        }
        slots = db.session.scalars(select(ReviewSlot)).all()
        assert len(slots) == 3 and sum(1 for s in slots if s.booked_award_id) == 1


def test_demo_evaluation(app):
    from app.evaluation import services
    from app.evaluation.models import Survey

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        surveys = db.session.scalars(select(Survey)).all()
        assert len(surveys) == 2
        for s in surveys:
            holders, managers, *_rest, everyone = services.results(s)
            assert holders.shown and not managers.shown
            assert everyone.responses == holders.responses  # the small group left out
