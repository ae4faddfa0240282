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
