"""Query counts for the outputs pages: the showcase, a cohort's outputs and the cohort
list make as many queries with 100 outputs behind them as with 10."""

from __future__ import annotations

from sqlalchemy import select, update

from app.awards.models import Award, AwardOutput, OutputStatus
from app.core.roles import Role
from app.extensions import db
from tests.test_query_counts import World, assert_flat, page_queries


def _share(app, cohort_id: int, limit: int) -> None:
    """The first `limit` outputs of the cohort accepted and shared."""
    with app.app_context():
        ids = db.session.scalars(
            select(AwardOutput.id)
            .join(Award, Award.id == AwardOutput.award_id)
            .where(Award.cohort_id == cohort_id)
            .order_by(AwardOutput.id)
            .limit(limit)
        ).all()
        db.session.execute(
            update(AwardOutput)
            .where(AwardOutput.id.in_(ids))
            .values(
                status=OutputStatus.ACCEPTED,
                showcase_consent=True,
                contact_consent=True,
                title="Caseload weighting in adult social care",
            )
        )
        db.session.commit()


def test_showcase_and_staff_pages_do_not_grow_with_outputs(app, make, browser):
    world = World(app, make)
    cohort = make.running_cohort(places=100)
    world.holders(cohort, 3, days=0)  # 12 outputs
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    urls = [
        "/outputs/showcase",
        "/outputs/showcase?q=caseload",
        f"/outputs/showcase/cohorts/{cohort.id}",
        "/outputs/cohorts",
        f"/outputs/cohorts/{cohort.id}",
    ]
    _share(app, cohort.id, 10)
    at_10 = {u: page_queries(app, browser, u) for u in urls}
    world.holders(cohort, 22, days=0)  # 100 outputs
    _share(app, cohort.id, 100)
    at_100 = {u: page_queries(app, browser, u) for u in urls}
    for u in urls:
        assert_flat(u, at_10[u], at_100[u])


def test_the_supervisor_and_manager_page_does_not_grow(app, make, browser):
    world = World(app, make)
    cohort = make.running_cohort(places=100)
    org = make.org()
    manager = make.user(Role.LINE_MANAGER, orgs=[org])
    world.holders(cohort, 3, employer=org, manager=manager, days=0)
    browser.sign_in(manager.email)
    at_10 = page_queries(app, browser, "/outputs/people")
    world.holders(cohort, 22, employer=org, manager=manager, days=0)
    at_100 = page_queries(app, browser, "/outputs/people")
    assert_flat("outputs people", at_10, at_100)


def test_showcase_pages_follow_the_ranking_across_cohorts(app, make):
    """Counted per cohort, a page still lists the entries in the showcase's order: summaries
    first, later programmes first, cohorts starting the same day interleaved by title."""
    from datetime import timedelta

    from sqlalchemy import case

    from app.cohorts.models import Cohort
    from app.core.clock import today
    from app.outputs import showcase

    world = World(app, make)
    with app.app_context():
        t = today()
    same_a, same_b = make.running_cohort(), make.running_cohort()  # one programme start
    later = make.running_cohort(programme_start=t - timedelta(days=50))
    for c in (same_a, same_b, later):
        world.holders(c, 2, days=0)
    with app.app_context():
        outputs = db.session.scalars(select(AwardOutput).order_by(AwardOutput.id)).all()
        for n, o in enumerate(outputs):
            o.status, o.showcase_consent = OutputStatus.ACCEPTED, True
            o.title = f"{'Carers' if n % 3 == 0 else 'Caseload'} study {(n * 7) % 11:02d}"
        db.session.commit()
        summaries_first = case((AwardOutput.kind == "summary", 0), else_=1)
        for filters in (showcase.Filters(), showcase.Filters(q="carers")):
            expected = db.session.scalars(
                select(AwardOutput.id)
                .join(Award, Award.id == AwardOutput.award_id)
                .join(Cohort, Cohort.id == Award.cohort_id)
                .where(
                    AwardOutput.status == OutputStatus.ACCEPTED,
                    AwardOutput.title.ilike(f"%{filters.q}%"),
                )
                .order_by(
                    summaries_first,
                    Cohort.programme_start.desc(),
                    AwardOutput.title,
                    AwardOutput.id,
                )
            ).all()
            for per_page in (1, 3, 5, 7):
                shown, number = [], 1
                while True:
                    page = showcase.page_of(filters, number, per_page)
                    assert page.total == len(expected)
                    if not page.items:
                        break
                    shown += [row[0].id for row in page.items]
                    number += 1
                assert shown == expected, (filters, per_page)
