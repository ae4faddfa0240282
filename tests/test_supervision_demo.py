"""The demo shows supervision as the evaluation tells it: supervisor@demo.test and
coach@demo.test have award holders and meetings, one supervisor was replaced mid-year
through illness, and director@demo.test sees their organisation's award holders."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.supervision.models import Allocation, Meeting, MeetingKind
from tests.helpers import text


def test_demo_supervision(app, browser_factory):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        count = db.session.scalar(select(func.count(Allocation.id)))
        replaced = db.session.scalars(
            select(Allocation).where(Allocation.ended_on.is_not(None))
        ).all()
        assert len(replaced) == 1 and "sick leave" in replaced[0].end_reason
        kinds = set(db.session.scalars(select(Meeting.kind).distinct()))
        assert kinds == set(MeetingKind)
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Allocation.id))) == count  # idempotent

    for email, words in [
        ("supervisor@demo.test", "3 award holders you support"),
        ("coach@demo.test", "award holders you support"),
        ("director@demo.test", "1 award holder you support"),
    ]:
        b = browser_factory()
        b.sign_in(email, "demo-password")
        assert words in text(b.get("/")), email
        page = text(b.get("/supervision/"))
        assert "Next three-way meeting" in page and "Meeting 2" in page, email
    b = browser_factory()
    b.sign_in("staff@demo.test", "demo-password")
    with app.app_context():
        award_id = replaced[0].award_id
    history = text(b.get(f"/supervision/awards/{award_id}"))
    assert "Replaced because: Long-term sick leave" in history
    assert "Dr Ruth Evans</strong>, from 1 July 2026 (now)" in history


def test_demo_contact_report_and_onboarding(app, browser_factory):
    from app.accounts.models import User
    from app.awards.models import Award
    from app.cohorts.models import Cohort
    from app.core.clock import today
    from app.supervision import report

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        running = db.session.scalar(select(Cohort).where(Cohort.name == "2026-27"))
        assert report.flagged_count(running, today()) == 1  # only the one falling behind
        quiet = db.session.scalar(select(User).where(User.email == "applicant1@demo.test"))
        holder_award = db.session.scalar(
            select(Award.id)
            .join(User, User.id == Award.holder_id)
            .where(User.email == "holder@demo.test")
        )
        cohort_id, quiet_name = running.id, quiet.name
    b = browser_factory()
    b.sign_in("staff@demo.test", "demo-password")
    flagged = text(b.get(f"/supervision/cohorts/{cohort_id}/contact?show=flagged"))
    assert quiet_name in flagged and "No supervision contact for" in flagged
    onboarding = text(b.get(f"/supervision/cohorts/{cohort_id}/onboarding"))
    assert "of 4 award holders have everything in place" in onboarding
    # the managers' handbook: the other line managers' acknowledgements (issue 14) ticked
    # it; manager@demo.test has not read it yet
    assert 'missing=handbook">1 not done' in onboarding
    m = browser_factory()
    m.sign_in("manager@demo.test", "demo-password")
    page = text(m.get(f"/supervision/awards/{holder_award}/onboarding"))
    assert 'Mark as done<span class="nhsuk-u-visually-hidden">: Managers' in page
