"""Query counts for the staff documents lists: a cohort's learning agreements and who has
read the managers' handbook make as many queries with 100 award holders as with 10."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.roles import Role
from app.documents import agreements, services
from app.documents.models import LearningAgreement
from app.extensions import db
from tests.test_query_counts import World, assert_flat, page_queries


def test_agreements_and_acknowledgements_stay_flat(app, make, browser):
    world = World(app, make)
    cohort = make.running_cohort(places=500)
    employer = make.org()
    make.user(Role.ASSISTANT_DIRECTOR, orgs=[employer])
    staff = make.user(Role.STAFF)

    def more(n):
        world.holders(cohort, n, employer=employer, days=0)
        with app.test_request_context():
            boss = db.session.get(User, staff.id)
            done = set(db.session.scalars(select(LearningAgreement.award_id)))
            for award in db.session.scalars(select(Award).where(Award.cohort_id == cohort.id)):
                if award.id not in done:
                    a = agreements.prepare(award, boss, notify=False)
                    agreements.sign(a, award.holder, award.holder.name, a.content_hash)
            services.send_managers_handbook(db.session.get(Cohort, cohort.id), boss)
            db.session.commit()

    browser.sign_in(staff.email)
    urls = {
        "agreements": f"/documents/cohorts/{cohort.id}/agreements",
        "acknowledgements": f"/documents/cohorts/{cohort.id}/acknowledgements",
        "documents index": "/documents/",
    }
    more(10)
    at_10 = {name: page_queries(app, browser, url) for name, url in urls.items()}
    more(90)
    for name, url in urls.items():
        assert_flat(name, at_10[name], page_queries(app, browser, url))


def test_the_documents_home_does_not_grow_with_cohorts(app, make, browser):
    """Someone around an award holder reads their cohorts' handbooks: which cohorts is one
    query, not one per cohort (at national scale, 40 cohorts made 40 queries)."""
    cohort = make.running_cohort(places=50)
    employer = make.org()
    manager = make.user(Role.LINE_MANAGER, orgs=[employer])
    make.award(cohort=cohort, employer=employer, manager=manager)
    for _ in range(9):
        make.cohort()
    browser.sign_in(manager.email)
    at_10 = page_queries(app, browser, "/documents/")
    for _ in range(90):
        make.cohort()
    page = browser.get("/documents/").get_data(as_text=True)
    assert cohort.name in page
    assert_flat("documents index (line manager)", at_10, page_queries(app, browser, "/documents/"))


AGREEMENT_CEILING = 10  # 9 at national scale, counting the header's reminder count


def test_an_agreement_page_makes_few_queries(app, make, browser):
    """The agreement page builds its content from the award, people, allocations,
    workshops and backfill plan: each read once (it made 20 queries at national scale: the
    award again, each person's roles, one query per allocation kind)."""
    from app.organisations.models import OrgKind
    from app.supervision.models import Allocation, PoolKind, PoolMember

    world = World(app, make)
    cohort = make.running_cohort(places=50)
    employer = make.org()
    make.user(Role.ASSISTANT_DIRECTOR, orgs=[employer])
    uni = make.org(kind=OrgKind.UNIVERSITY)
    supervisor = make.user(Role.SUPERVISOR, orgs=[uni])
    coach = make.user(Role.COACH)
    staff = make.user(Role.STAFF)
    (award,) = world.holders(cohort, 1, employer=employer, days=0)
    with app.test_request_context():
        for who, kind, org in (
            (supervisor, PoolKind.SUPERVISOR, uni),
            (coach, PoolKind.COACH, None),
        ):
            member = PoolMember(
                cohort_id=cohort.id,
                user_id=who.id,
                kind=kind,
                university_id=org.id if org else None,
                capacity=5,
            )
            db.session.add(member)
            db.session.flush()
            db.session.add(
                Allocation(
                    award_id=award.id,
                    pool_id=member.id,
                    user_id=who.id,
                    kind=kind,
                    started_on=cohort.programme_start,
                )
            )
        boss = db.session.get(User, staff.id)
        a = agreements.prepare(db.session.get(Award, award.id), boss, notify=False)
        holder = db.session.get(User, award.holder_id)
        agreements.sign(a, holder, holder.name, a.content_hash)
        db.session.commit()
    browser.sign_in(make.reload(User, award.holder_id).email)
    statements = page_queries(app, browser, f"/documents/agreements/{award.id}")
    assert len(statements) <= AGREEMENT_CEILING, "\n".join(statements)


def test_acknowledgements_are_paged_with_the_figures_over_them_all(app, make, browser):
    world = World(app, make)
    cohort = make.running_cohort(places=50)
    employer = make.org()
    staff = make.user(Role.STAFF)
    per_page = app.config["PER_PAGE"]
    world.holders(cohort, per_page + 1, employer=employer, days=0)
    with app.test_request_context():
        services.send_managers_handbook(
            db.session.get(Cohort, cohort.id), db.session.get(User, staff.id)
        )
        db.session.commit()
        from app.documents.models import HandbookReceipt

        receipts = db.session.scalars(select(HandbookReceipt).order_by(HandbookReceipt.id)).all()
        services.acknowledge(receipts[0], receipts[0].user)
        db.session.commit()
        total = len(receipts)
    assert total > per_page
    browser.sign_in(staff.email)
    url = f"/documents/cohorts/{cohort.id}/acknowledgements"
    first = browser.get(url).get_data(as_text=True)
    assert f"<strong>{total - 1}</strong> of {total} have not said" in first
    assert first.count("Not yet") == per_page and "?page=2" in first
    last = browser.get(f"{url}?page={-(-total // per_page)}").get_data(as_text=True)
    assert f"<strong>{total - 1}</strong> of {total}" in last
    assert "Not yet" not in last or last.count("Not yet") < per_page  # the one read is last
    past = browser.get(f"{url}?page=99").get_data(as_text=True)  # past the end
    assert f"<strong>{total - 1}</strong> of {total}" in past
