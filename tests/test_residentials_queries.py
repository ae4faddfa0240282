"""Query counts for the residentials pages: the register, the workshop page (replies and
needs) and the holder's list make as many queries with 100 award holders as with 10."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from app.core.clock import today
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Nation
from app.residentials.models import Attendance, Mark, Registration, Workshop
from tests.matrix.residentials import monday_after
from tests.test_query_counts import World, assert_flat, page_queries


def _setting(app, make):
    w = World(app, make)
    cohort = make.running_cohort(places=500)
    with app.app_context():
        first = monday_after(today() - timedelta(days=60), Nation.ENGLAND_AND_WALES)
        ws = Workshop(
            cohort_id=cohort.id,
            number=1,
            venue="Lakeside",
            address="1 Shore Road",
            starts_on=first,
            ends_on=first + timedelta(days=1),
            arrival_time=time(9, 30),
            departure_time=time(16),
        )
        db.session.add(ws)
        db.session.commit()
        workshop_id = ws.id

    marks = list(Mark)

    def add(n):
        awards = w.holders(cohort, n, days=0)
        with app.app_context():
            for i, a in enumerate(awards):
                db.session.add(
                    Attendance(workshop_id=workshop_id, award_id=a.id, day=first, mark=marks[i % 3])
                )
                db.session.add(
                    Registration(
                        workshop_id=workshop_id, award_id=a.id, attending=True, dietary="Vegan"
                    )
                )
            db.session.commit()
        return awards

    return workshop_id, first, add


@pytest.mark.parametrize("page", ["register", "workshop"])
def test_staff_pages_do_not_grow_with_the_cohort(page, app, make, browser):
    workshop_id, first, add = _setting(app, make)
    staff = make.user(Role.STAFF)
    url = {
        "register": f"/residentials/workshops/{workshop_id}/register/{first.isoformat()}",
        "workshop": f"/residentials/workshops/{workshop_id}",
    }[page]
    add(10)
    browser.sign_in(staff.email)
    at_10 = page_queries(app, browser, url)
    add(90)
    at_100 = page_queries(app, browser, url)
    assert_flat(f"residentials {page}", at_10, at_100)


def test_the_staff_list_of_cohorts_does_not_grow(app, make, browser):
    staff = make.user(Role.STAFF)
    w = World(app, make)
    w.cohorts(10)
    browser.sign_in(staff.email)
    at_10 = page_queries(app, browser, "/residentials/")
    w.cohorts(90)
    at_100 = page_queries(app, browser, "/residentials/")
    assert_flat("residentials cohorts", at_10, at_100)
