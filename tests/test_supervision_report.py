"""The supervision and coaching contact report: the six-week flag at its edges, the
staff page with its filter and the CSV; and outputs' status on a supervisor's page."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select

from app.awards.models import AwardOutput, OutputKind, OutputStatus
from app.cohorts.models import Cohort
from app.core.clock import today
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import OrgKind
from app.supervision import report
from app.supervision.models import Allocation, Attendee, Meeting, MeetingKind, PoolKind, PoolMember
from tests.helpers import text

START, END = date(2026, 9, 1), date(2027, 8, 31)


def _cohort() -> Cohort:
    return Cohort(programme_start=START, programme_end=END)


def test_the_six_week_flag_at_its_edges():
    c = _cohort()
    last = date(2027, 1, 10)
    assert not report.flagged(c, last, last + timedelta(days=42))  # exactly six weeks
    assert report.flagged(c, last, last + timedelta(days=43))  # one day more
    # no contact yet: counted from the start of the year
    assert not report.flagged(c, None, START + timedelta(days=42))
    assert report.flagged(c, None, START + timedelta(days=43))
    # after the year has ended nobody is flagged
    assert not report.flagged(c, last, END + timedelta(days=1))
    assert report.flagged(c, last, END)


class Setting:
    def __init__(self, app, make, holders=3):
        self.app = app
        self.cohort = make.running_cohort()  # started 100 days ago
        self.awards = [make.award(cohort=self.cohort) for _ in range(holders)]
        self.staff = make.user(Role.STAFF)
        uni = make.org(kind=OrgKind.UNIVERSITY)
        self.supervisor = make.user(Role.SUPERVISOR, orgs=[uni], name="Dr Ada Lane")
        with app.app_context():
            m = PoolMember(
                cohort_id=self.cohort.id,
                user_id=self.supervisor.id,
                kind=PoolKind.SUPERVISOR,
                university_id=uni.id,
                capacity=10,
            )
            db.session.add(m)
            db.session.flush()
            for a in self.awards:
                db.session.add(
                    Allocation(
                        award_id=a.id,
                        pool_id=m.id,
                        user_id=self.supervisor.id,
                        kind=PoolKind.SUPERVISOR,
                        started_on=self.cohort.programme_start,
                    )
                )
            db.session.commit()

    def meeting(self, award, kind, days_ago, minutes=60):
        with self.app.app_context():
            m = Meeting(
                cohort_id=self.cohort.id,
                kind=kind,
                held_on=today() - timedelta(days=days_ago),
                minutes=minutes,
            )
            m.attendees = [
                Attendee(user_id=award.holder_id, award_id=award.id, role="award_holder"),
                Attendee(user_id=self.supervisor.id, role="supervisor"),
            ]
            db.session.add(m)
            db.session.commit()

    def names(self):
        with self.app.app_context():
            from app.accounts.models import User

            return [db.session.get(User, a.holder_id).name for a in self.awards]


def test_staff_see_contact_and_who_is_flagged(app, make, browser):
    s = Setting(app, make, holders=3)
    recent, quiet, never = s.awards
    s.meeting(recent, MeetingKind.SUPERVISION, 42, minutes=90)  # exactly six weeks ago
    s.meeting(recent, MeetingKind.GROUP_COACHING, 3, minutes=120)
    s.meeting(quiet, MeetingKind.THREE_WAY, 43)
    r_name, q_name, n_name = s.names()
    browser.sign_in(s.staff.email)
    url = f"/supervision/cohorts/{s.cohort.id}/contact"
    page = text(browser.get(url))
    assert "2 award holders have had no supervision contact for more than six weeks" in page
    assert "1 meeting, 1.5 hours" in page and "1 session, 2 hours" in page
    assert "No supervision contact for 43 days" in page  # the quiet one
    assert "No supervision contact for 100 days" in page  # never: since the year started
    only = text(browser.get(url + "?show=flagged"))
    assert q_name in only and n_name in only and r_name not in only
    assert r_name in text(browser.get(url + "?show=nonsense"))  # an unknown filter: everyone

    resp = browser.get(f"/supervision/cohorts/{s.cohort.id}/contact.csv?show=flagged")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0] == report.HEADER
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {q_name, n_name}
    with app.app_context():  # the app's clock, as the meetings were dated by it
        held = (today() - timedelta(days=43)).isoformat()
    assert by_name[q_name][4:7] == ["1", "1.0", held]
    assert by_name[q_name][-2:] == ["43", "Yes"] and by_name[n_name][6] == ""


def test_the_csv_cannot_carry_a_formula(app, make, browser):
    s = Setting(app, make, holders=1)
    with app.app_context():
        from app.accounts.models import User

        db.session.get(User, s.awards[0].holder_id).name = "=HYPERLINK(1)"
        db.session.commit()
    browser.sign_in(s.staff.email)
    body = browser.get(f"/supervision/cohorts/{s.cohort.id}/contact.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in body


def test_a_supervisor_sees_their_supervisees_outputs(app, make, browser):
    s = Setting(app, make, holders=1)
    with app.app_context():
        outputs = {
            o.kind: o
            for o in db.session.scalars(
                select(AwardOutput).where(AwardOutput.award_id == s.awards[0].id)
            )
        }  # made with the award
        poster, rep = outputs[OutputKind.POSTER], outputs[OutputKind.REPORT]
        poster.status, poster.due_date = OutputStatus.NOT_STARTED, today() - timedelta(days=1)
        rep.status, rep.due_date = OutputStatus.SUBMITTED, today() - timedelta(days=30)
        db.session.commit()
    browser.sign_in(s.supervisor.email)
    page = text(browser.get("/supervision/"))
    assert "Creative research poster" in page and "Overdue" in page
    assert "Research report" in page and "Submitted" in page
    assert page.count("Overdue") == 1  # the submitted report is not
