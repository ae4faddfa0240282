"""Query counts and numbers for the pages that span every cohort: the evaluation's
cohorts side by side and the impact report (page and CSV, staff and PSW) make as many
queries with 100 cohorts behind them as with 10; the counts made in the database give
the same numbers as the per-survey results and the Python year buckets."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

from app.accounts.models import User
from app.applications.models import Application
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.roles import Role
from app.evaluation import services as evaluation
from app.evaluation.models import Answer, Group, Response, Survey, SurveyKind
from app.evaluation.questions import FREE, SCALED
from app.extensions import db
from app.impact import report
from app.impact.models import Category, EntryStatus, ImpactEntry, Reach
from tests.test_impact import COMPLETED, TODAY, finished
from tests.test_query_counts import assert_flat, page_queries

CATEGORIES, REACHES, GROUPS = list(Category), list(Reach), list(Group)


def _copy(table, ident: int, **changes) -> int:
    """A copy of one row with `changes` (a cohort's award without the application
    journey: the pages only read it)."""
    row = dict(db.session.execute(select(table).where(table.c.id == ident)).mappings().one())
    del row["id"]
    row.update(changes)
    return db.session.execute(insert(table).values(row).returning(table.c.id)).scalar_one()


def _responses(survey_id: int, group: Group, n: int, seed: int) -> None:
    for i in range(n):
        r = Response(survey_id=survey_id, group=group)
        db.session.add(r)
        db.session.flush()
        for j, q in enumerate(SCALED):
            db.session.add(Answer(response_id=r.id, question=q.key, score=1 + (seed + i + j) % 5))
        db.session.add(Answer(response_id=r.id, question=FREE[0].key, text=f"Said {seed} {i}"))


def _cohorts(app, award: Award, n: int) -> None:
    """`n` more cohorts, each with an award holder, impact entries of every kind and both
    surveys answered: one group of five or more and small groups that sometimes add up
    to five, or (every fifth cohort) only small groups."""
    with app.app_context():
        start = db.session.scalar(select(func.count(Cohort.id)))
        template = db.session.get(Cohort, award.cohort_id)
        for k in range(start, start + n):
            cohort = Cohort(
                name=f"Scale {k}",
                applications_open=template.applications_open - timedelta(days=k),
                applications_close=template.applications_close - timedelta(days=k),
                programme_start=template.programme_start - timedelta(days=k),
                programme_end=template.programme_end - timedelta(days=k),
                places=template.places,
            )
            db.session.add(cohort)
            db.session.flush()
            application = _copy(Application.__table__, award.application_id, cohort_id=cohort.id)
            award_id = _copy(
                Award.__table__, award.id, cohort_id=cohort.id, application_id=application
            )
            for i in range(3):
                db.session.add(
                    ImpactEntry(
                        award_id=award_id,
                        category=CATEGORIES[(k + i) % len(CATEGORIES)],
                        reach=REACHES[(k + i) % len(REACHES)],
                        occurred_on=COMPLETED.date() + timedelta(days=200 * (k % 8) + i),
                        description="An entry",
                        status=EntryStatus.CONFIRMED,
                    )
                )
            for kind in SurveyKind:
                survey = Survey(
                    cohort_id=cohort.id,
                    kind=kind,
                    opens_on=TODAY,
                    closes_on=TODAY + timedelta(days=10),
                )
                db.session.add(survey)
                db.session.flush()
                if k % 5 == 0:  # too few in every group, and together: nothing shown
                    _responses(survey.id, GROUPS[k % 4], 2, k)
                    _responses(survey.id, GROUPS[(k + 3) % 4], 2, k)
                    continue
                _responses(survey.id, GROUPS[k % 4], 5, k)
                _responses(survey.id, GROUPS[(k + 1) % 4], 1 + k % 4, k + 1)
                _responses(survey.id, GROUPS[(k + 2) % 4], 2, k + 2)
        db.session.commit()


def test_cohort_wide_pages_do_not_grow_with_the_cohorts(app, make, browser, browser_factory):
    award = finished(make, app)
    with app.app_context():
        psw = db.session.get(User, award.psw_id).email
    _cohorts(app, award, 10)
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    other = browser_factory()
    other.sign_in(psw)
    pages = [
        (browser, "/evaluation/compare"),
        (browser, "/evaluation/compare?kind=follow_up"),
        (browser, "/impact/report"),
        (browser, "/impact/report.csv"),
        (other, "/impact/report"),
        (other, "/impact/report.csv"),
    ]
    at_10 = [page_queries(app, b, u) for b, u in pages]
    body = browser.get("/evaluation/compare").get_data(as_text=True)
    assert "Scale 9" in body and "Fewer than 5" in body
    _cohorts(app, award, 90)
    at_100 = [page_queries(app, b, u) for b, u in pages]
    for (_b, u), q10, q100 in zip(pages, at_10, at_100, strict=True):
        assert_flat(u, q10, q100)
    assert "Scale 99" in browser.get("/evaluation/compare").get_data(as_text=True)


def test_side_by_side_gives_each_surveys_everyone_result(app, make):
    """compare() counts every survey at once; each column is what results() gives as
    'everyone' for that survey alone, the small-group rule included."""
    award = finished(make, app)
    _cohorts(app, award, 12)
    with app.app_context():
        for kind in SurveyKind:
            columns = evaluation.compare(kind)
            assert len(columns) == 12
            for survey, everyone in columns:
                alone = evaluation.results(survey)[-1]
                assert (everyone.responses, everyone.shown) == (alone.responses, alone.shown)
                means = [everyone.mean(q.key) for q in SCALED]
                assert means == [alone.mean(q.key) for q in SCALED]
            shown = [e for _s, e in columns if e.shown]
            assert shown and any(e.responses > 5 for e in shown)  # small groups pooled in
            assert any(e.mean(SCALED[0].key) not in (None, 1.0, 2.0, 3.0, 4.0, 5.0) for e in shown)


@pytest.mark.parametrize(
    "on",
    [
        date(2024, 3, 30),
        date(2024, 3, 31),
        date(2025, 3, 30),
        date(2025, 3, 31),
        date(2026, 3, 30),
        date(2026, 3, 31),
        date(2027, 3, 30),
        date(2027, 3, 31),
        date(2031, 1, 1),
    ],
)
def test_the_database_counts_years_as_year_bucket_does(app, make, on):
    award = finished(make, app)
    unfinished = make.award(cohort=make.reload(Cohort, award.cohort_id))
    with app.app_context():
        for a in (award.id, unfinished.id):
            db.session.add(
                ImpactEntry(
                    award_id=a,
                    category=Category.TOOL,
                    reach=Reach.TEAM,
                    occurred_on=on,
                    description="On the day",
                    status=EntryStatus.CONFIRMED,
                )
            )
        db.session.commit()
        counts = report.build(None).programme
    expected = Counter([report.year_bucket(on, COMPLETED.date()), report.year_bucket(on, None)])
    assert counts.year == expected and counts.holders == 2
