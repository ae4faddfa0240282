"""Query counts for the supervision pages: the supervisor's and the assistant director's
list, the staff cohort page, the pool and an award holder's record make as many queries
with 100 records as with 10."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.clock import today
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import OrgKind
from app.supervision.models import Allocation, Attendee, Meeting, MeetingKind, PoolKind, PoolMember
from tests.test_query_counts import World, assert_flat, page_queries


class Setting:
    def __init__(self, app, make):
        self.app, self.make, self.world = app, make, World(app, make)
        self.cohort = make.running_cohort(places=500)
        self.uni = make.org(kind=OrgKind.UNIVERSITY)
        self.employer = make.org()
        self.supervisor = make.user(Role.SUPERVISOR, orgs=[self.uni])
        self.director = make.user(Role.ASSISTANT_DIRECTOR, orgs=[self.employer])
        self.staff = make.user(Role.STAFF)
        with app.app_context():
            m = PoolMember(
                cohort_id=self.cohort.id,
                user_id=self.supervisor.id,
                kind=PoolKind.SUPERVISOR,
                university_id=self.uni.id,
                capacity=50,
            )
            db.session.add(m)
            db.session.commit()
            self.pool_id = m.id
        self.awards: list = []

    def holders(self, n: int) -> None:
        """`n` more award holders, each supervised, with a supervision and a three-way
        meeting."""
        made = self.world.holders(self.cohort, n, employer=self.employer, days=2)
        with self.app.app_context():
            held = today() - timedelta(days=3)
            for a in made:
                db.session.add(
                    Allocation(
                        award_id=a.id,
                        pool_id=self.pool_id,
                        user_id=self.supervisor.id,
                        kind=PoolKind.SUPERVISOR,
                        started_on=self.cohort.programme_start,
                    )
                )
                for kind in (MeetingKind.SUPERVISION, MeetingKind.THREE_WAY):
                    m = Meeting(cohort_id=self.cohort.id, kind=kind, held_on=held, minutes=60)
                    m.attendees = [
                        Attendee(user_id=a.holder_id, award_id=a.id, role="award_holder"),
                        Attendee(user_id=self.supervisor.id, role="supervisor"),
                    ]
                    db.session.add(m)
            db.session.commit()
        self.awards += made

    def meetings(self, award, n: int) -> None:
        with self.app.app_context():
            for i in range(n):
                m = Meeting(
                    cohort_id=self.cohort.id,
                    kind=MeetingKind.SUPERVISION,
                    held_on=today() - timedelta(days=i % 60),
                    minutes=30,
                    notes="Notes",
                )
                m.attendees = [
                    Attendee(user_id=award.holder_id, award_id=award.id, role="award_holder"),
                    Attendee(user_id=self.supervisor.id, role="supervisor"),
                ]
                db.session.add(m)
            db.session.commit()

    def pool(self, n: int) -> None:
        with self.app.app_context():
            for _ in range(n):
                person = self.make.user(Role.COACH)
                db.session.add(
                    PoolMember(
                        cohort_id=self.cohort.id,
                        user_id=person.id,
                        kind=PoolKind.COACH,
                        capacity=3,
                        expertise="Coaching",
                    )
                )
            db.session.commit()


@pytest.mark.parametrize("who", ["supervisor", "director", "staff"])
def test_lists_of_award_holders_do_not_grow(who, app, make, browser):
    s = Setting(app, make)
    url = f"/supervision/cohorts/{s.cohort.id}" if who == "staff" else "/supervision/"
    s.holders(10)
    browser.sign_in(getattr(s, who).email)
    at_10 = page_queries(app, browser, url)
    s.holders(90)
    at_100 = page_queries(app, browser, url)
    assert_flat(f"supervision list for {who}", at_10, at_100)


def test_the_pool_does_not_grow(app, make, browser):
    s = Setting(app, make)
    s.holders(2)
    s.pool(10)
    browser.sign_in(s.staff.email)
    url = f"/supervision/cohorts/{s.cohort.id}/pool"
    at_10 = page_queries(app, browser, url)
    s.pool(90)
    at_100 = page_queries(app, browser, url)
    assert_flat("supervision pool", at_10, at_100)


def test_an_award_holders_record_does_not_grow_with_meetings(app, make, browser):
    s = Setting(app, make)
    s.holders(1)
    award = s.awards[0]
    s.meetings(award, 10)
    browser.sign_in(s.supervisor.email)
    url = f"/supervision/awards/{award.id}"
    at_10 = page_queries(app, browser, url)
    s.meetings(award, 90)
    at_100 = page_queries(app, browser, url)
    assert_flat("supervision award", at_10, at_100)


@pytest.mark.parametrize(
    "page",
    ["onboarding?missing=any", "onboarding", "contact", "contact?show=flagged"],
)
def test_onboarding_and_contact_report_do_not_grow(page, app, make, browser):
    s = Setting(app, make)
    s.holders(10)
    browser.sign_in(s.staff.email)
    url = f"/supervision/cohorts/{s.cohort.id}/{page}"
    at_10 = page_queries(app, browser, url)
    s.holders(90)
    at_100 = page_queries(app, browser, url)
    assert_flat(f"supervision {page}", at_10, at_100)


def test_the_contact_csv_is_streamed_and_its_queries_do_not_grow(app, make, browser, monkeypatch):
    """The contact report CSV is streamed a batch at a time, like the other CSV exports: no
    line is made before the body is read (the test client reads a streamed body lazily),
    and the queries counted while it is read do not grow with the award holders."""
    from app.supervision import report
    from tests.helpers import recorded_sql

    made = [0]
    lines_of = report.csv_lines

    def counted(*args):
        for line in lines_of(*args):
            made[0] += 1
            yield line

    monkeypatch.setattr(report, "csv_lines", counted)
    s = Setting(app, make)
    s.holders(10)
    browser.sign_in(s.staff.email)
    url = f"/supervision/cohorts/{s.cohort.id}/contact.csv"

    def read() -> tuple[list[str], int]:
        browser.get(url).get_data()
        with recorded_sql(app) as statements:
            made[0] = 0
            resp = browser.get(url)
            assert resp.status_code == 200 and made[0] <= 1, "the CSV was built before sending"
            lines = resp.get_data(as_text=True).count("\n")
        return statements, lines

    at_10, lines_10 = read()
    s.holders(90)
    at_100, lines_100 = read()
    assert (lines_10, lines_100) == (11, 101)  # the header and one line per award holder
    assert_flat("supervision contact.csv (read)", at_10, at_100)
