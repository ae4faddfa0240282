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


def test_staff_lists_and_the_presentation_day_do_not_grow(app, make, browser):
    """The attendance rates (cohort page and print), the needs list, the sign-in sheet,
    the presentation day (invitations and running order) and an invitee's pages."""
    from app.awards.models import Award
    from app.residentials.models import (
        Invitation,
        PresentationDay,
        PresentationSlot,
        ProgrammeStatus,
        Reply,
    )

    workshop_id, first, add = _setting(app, make)
    staff = make.user(Role.STAFF)
    with app.app_context():
        cohort_id = db.session.get(Workshop, workshop_id).cohort_id
        day = PresentationDay(cohort_id=cohort_id, status=ProgrammeStatus.PUBLISHED)
        db.session.add(day)
        db.session.commit()
        day_id = day.id
    psw_id = None

    def grow(n):
        nonlocal psw_id
        awards = add(n)
        with app.app_context():
            start = db.session.query(PresentationSlot).count()
            for i, a in enumerate(awards):
                award = db.session.get(Award, a.id)
                minute = (start + i) % 600
                db.session.add(
                    PresentationSlot(
                        day_id=day_id,
                        award_id=a.id,
                        starts_at=time(8 + minute // 60, minute % 60),
                        ends_at=time(8 + minute // 60, minute % 60, 30),
                        title="How do carers use peer support?",
                    )
                )
                for uid in (award.psw_id, award.line_manager_id):
                    db.session.add(
                        Invitation(
                            cohort_id=cohort_id,
                            invitee_id=uid,
                            about="Principal Social Worker for someone",
                            reply=Reply.ATTENDING,
                        )
                    )
                psw_id = psw_id or award.psw_id
            db.session.commit()

    urls = [
        f"/residentials/cohorts/{cohort_id}",
        f"/residentials/cohorts/{cohort_id}/attendance",
        f"/residentials/workshops/{workshop_id}/needs",
        f"/residentials/workshops/{workshop_id}/sign-in-sheet",
        f"/residentials/cohorts/{cohort_id}/presentation-day",
    ]
    grow(10)
    browser.sign_in(staff.email)
    at_10 = [page_queries(app, browser, u) for u in urls]
    from app.accounts.models import User

    psw = make.reload(User, psw_id)
    pb = type(browser)(app.test_client())
    pb.sign_in(psw.email)
    mine = ["/residentials/presentation-days", f"/residentials/presentation-days/{cohort_id}"]
    mine_10 = [page_queries(app, pb, u) for u in mine]
    grow(90)
    for url, before in zip(urls, at_10, strict=True):
        assert_flat(url, before, page_queries(app, browser, url))
    for url, before in zip(mine, mine_10, strict=True):
        assert_flat(url, before, page_queries(app, pb, url))
