"""Status changes are a compare-and-set (app/core/state.py).

Each test changes a record "underneath" the session: an UPDATE that leaves the
session's copy as it was, as a second request committing between this request's
read and its write would. The service must read the row again under its lock,
refuse with a message saying what happened, and write nothing: no audit entry,
no email, no second change. The same checks run under real parallel requests on
PostgreSQL in tests/test_concurrency.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.applications import services as apps
from app.applications.models import Application, AppStatus, SignOff
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.core.state import Conflict
from app.core.workdays import non_working_reason
from app.extensions import db
from app.release import services as release
from app.release.models import DayStatus, ReleaseDay
from tests.helpers import text


def underneath(model, ident: int, **values) -> None:
    """Another request's committed change, which this session has not seen."""
    db.session.execute(
        update(model).where(model.id == ident).values(**values),
        execution_options={"synchronize_session": False},
    )


def audit_count(action: str | None = None) -> int:
    stmt = select(func.count(AuditEntry.id))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return db.session.scalar(stmt)


def mail_count(template: str | None = None) -> int:
    stmt = select(func.count(OutboxMessage.id))
    if template:
        stmt = stmt.where(OutboxMessage.template == template)
    return db.session.scalar(stmt)


def working_day(award: Award, after: int = 20) -> date:
    d = today() + timedelta(days=after)
    while non_working_reason(d, award.employer.nation):
        d += timedelta(days=1)
    return d


# Release days ---------------------------------------------------------------------------


@pytest.fixture
def day(make, app):
    """A requested study day in the future: (award id, day id, holder, manager)."""
    employer = make.org()
    manager = make.user(Role.LINE_MANAGER, orgs=[employer], name="Sam Manager")
    holder = make.user(Role.APPLICANT, orgs=[employer], name="Ann Smith")
    award = make.award(
        cohort=make.running_cohort(), employer=employer, holder=holder, manager=manager
    )
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        h = db.session.get(User, a.holder_id)
        rows, _ = release.request_days(
            a, h, [working_day(a)], half_day=False, note="", today=today()
        )
        db.session.commit()
        return award.id, rows[0].id, a.holder_id, a.line_manager_id


def _load_day(day_id):
    row = db.session.get(ReleaseDay, day_id)
    award = row.award
    return row, db.session.get(User, award.holder_id), db.session.get(User, award.line_manager_id)


def test_approving_a_day_cancelled_underneath_is_refused_and_says_by_whom(day, app):
    _, day_id, holder_id, _ = day
    with app.test_request_context():
        row, holder, manager = _load_day(day_id)
        assert row.status == DayStatus.REQUESTED
        audits, mails = audit_count(), mail_count()
        underneath(
            ReleaseDay,
            day_id,
            status=DayStatus.CANCELLED,
            cancelled_by_id=holder_id,
            closed_at=db.func.now(),
        )
        with pytest.raises(release.DayChanged) as refused:
            release.decide(row, manager, approve=True, reason="", today=today())
        assert isinstance(refused.value, Conflict)
        assert str(refused.value) == (
            "This day was cancelled by Ann Smith a moment ago, so it was not approved."
        )
        assert row.status == DayStatus.CANCELLED  # the session now shows the truth
        db.session.flush()
        assert (audit_count(), mail_count()) == (audits, mails)


def test_a_second_approval_of_the_same_day_changes_nothing(day, app):
    _, day_id, _, _ = day
    with app.test_request_context():
        row, _, manager = _load_day(day_id)
        release.decide(row, manager, approve=True, reason="", today=today())
        db.session.commit()
        row = db.session.get(ReleaseDay, day_id)
        underneath(ReleaseDay, day_id, status=DayStatus.APPROVED)  # as it already is
        row.status  # noqa: B018 - loaded
        from sqlalchemy.orm.attributes import set_committed_value

        set_committed_value(row, "status", DayStatus.REQUESTED)  # the page the second click saw
        with pytest.raises(release.DayChanged, match="approved by you a moment ago, so there"):
            release.decide(row, manager, approve=True, reason="", today=today())
        db.session.rollback()
        assert audit_count("release.approved") == 1


def test_cancelling_a_request_the_manager_approved_underneath_is_refused(day, app):
    _, day_id, _, manager_id = day
    with app.test_request_context():
        row, holder, _ = _load_day(day_id)
        underneath(
            ReleaseDay,
            day_id,
            status=DayStatus.APPROVED,
            decided_by_id=manager_id,
            decided_at=db.func.now(),
        )
        with pytest.raises(
            release.DayChanged,
            match="^This day was approved by Sam Manager a moment ago, so it was not cancelled.$",
        ):
            release.cancel(row, holder, reason="", today=today(), seen=DayStatus.REQUESTED)
        assert row.status == DayStatus.APPROVED
        assert mail_count("release_cancelled") == 0


def test_cancelling_what_the_page_showed_still_works(day, app):
    _, day_id, _, _ = day
    with app.test_request_context():
        row, holder, _ = _load_day(day_id)
        release.cancel(row, holder, reason="", today=today(), seen=DayStatus.REQUESTED)
        assert row.status == DayStatus.CANCELLED
        assert audit_count("release.cancelled") == 1


def test_cancelling_a_day_declined_underneath_is_refused(day, app):
    _, day_id, _, manager_id = day
    with app.test_request_context():
        row, holder, _ = _load_day(day_id)
        underneath(ReleaseDay, day_id, status=DayStatus.DECLINED, decided_by_id=manager_id)
        with pytest.raises(release.DayChanged, match="declined by Sam Manager"):
            release.cancel(row, holder, reason="", today=today())


def test_confirming_a_day_cancelled_underneath_is_refused(day, app):
    _, day_id, _, manager_id = day
    with app.test_request_context():
        row, holder, _ = _load_day(day_id)
        underneath(ReleaseDay, day_id, status=DayStatus.APPROVED, decided_by_id=manager_id)
        db.session.commit()
        row, holder, _ = _load_day(day_id)
        assert row.status == DayStatus.APPROVED
        underneath(ReleaseDay, day_id, status=DayStatus.CANCELLED, cancelled_by_id=manager_id)
        with pytest.raises(release.DayChanged, match="cancelled by Sam Manager"):
            release.confirm(row, holder, taken=True, reason="", today=row.day)
        assert audit_count("release.taken") == 0


def test_the_holder_is_told_over_http_when_the_manager_approved_first(day, app, browser):
    _, day_id, holder_id, manager_id = day
    with app.app_context():
        email = db.session.get(User, holder_id).email
    browser.sign_in(email)
    url = f"/release/days/{day_id}/cancel"
    page = browser.get(url).get_data(as_text=True)
    assert 'name="seen" type="hidden" value="requested"' in page
    with app.app_context():
        underneath(
            ReleaseDay,
            day_id,
            status=DayStatus.APPROVED,
            decided_by_id=manager_id,
            decided_at=db.func.now(),
        )
        db.session.commit()
    resp = browser.post(url, {"seen": "requested"}, token_from=url, follow_redirects=True)
    assert resp.status_code == 200
    assert (
        "This day was approved by Sam Manager a moment ago, so it was not cancelled. "
        "Nothing was changed." in text(resp)
    )
    with app.app_context():
        assert db.session.get(ReleaseDay, day_id).status == DayStatus.APPROVED
        assert audit_count("release.cancelled") == 0


# Applications ---------------------------------------------------------------------------


def _app(application_id):
    a = db.session.get(Application, application_id)
    return a, a.applicant


def test_saving_a_section_of_an_application_submitted_underneath_is_refused(make, app):
    a = make.application(make.cohort())
    with app.test_request_context():
        application, applicant = _app(a.id)
        underneath(Application, a.id, status=AppStatus.SUBMITTED)
        with pytest.raises(apps.ApplicationChanged, match="so it can no longer be changed"):
            apps.save_section(application, "personal", {"phone": "0"}, applicant)


def test_submitting_twice_at_once_submits_once(make, app):
    a = make.application(make.cohort())
    with app.test_request_context():
        application, applicant = _app(a.id)
        underneath(Application, a.id, status=AppStatus.SUBMITTED)
        with pytest.raises(apps.ApplicationChanged, match="submitted"):
            apps.submit(application, applicant, today())
        assert mail_count("psw_sign_off_request") == 0


def test_reopening_an_application_shortlisted_underneath_is_refused(make, app):
    a = make.application(make.cohort(), status="endorsed")
    with app.test_request_context():
        application, applicant = _app(a.id)
        underneath(Application, a.id, status=AppStatus.SHORTLISTED)
        with pytest.raises(apps.ApplicationChanged, match="shortlisted, so it can no longer"):
            apps.reopen(application, applicant, today())


def test_signing_off_an_application_withdrawn_underneath_is_refused(make, app):
    a = make.application(make.cohort(), status="submitted")
    with app.test_request_context():
        application, _ = _app(a.id)
        psw = db.session.get(User, application.psw_id)
        underneath(Application, a.id, status=AppStatus.WITHDRAWN)
        with pytest.raises(apps.ApplicationChanged, match="withdrawn, so it can no longer be"):
            apps.sign_off(
                application, psw, endorse=True, confirmed_release=True, confirmed_strategic=True
            )
        db.session.flush()
        assert db.session.scalar(select(func.count(SignOff.id))) == 0
        assert mail_count("psw_decision") == 0


def test_withdrawing_an_application_awarded_underneath_is_refused(make, app):
    a = make.application(make.cohort(), status="endorsed")
    with app.test_request_context():
        application, applicant = _app(a.id)
        underneath(Application, a.id, status=AppStatus.AWARDED)
        with pytest.raises(apps.ApplicationChanged, match="awarded, so it can no longer be"):
            apps.withdraw(application, applicant)
        assert mail_count("psw_application_withdrawn") == 0


def test_a_decision_on_an_application_decided_underneath_is_refused(make, app):
    staff = make.user(Role.STAFF, name="Kim Staff")
    a = make.application(make.cohort(), status="endorsed")
    with app.test_request_context():
        application, _ = _app(a.id)
        actor = db.session.get(User, staff.id)
        underneath(Application, a.id, status=AppStatus.DECLINED)
        with pytest.raises(apps.ApplicationChanged, match="is not successful, so it can no"):
            apps.decide(application, actor, AppStatus.AWARDED, "Congratulations")
        with pytest.raises(apps.ApplicationChanged):
            apps.shortlist(application, actor)
        db.session.flush()
        assert db.session.scalar(select(func.count(Award.id))) == 0
        assert mail_count("application_decision") == 0


def test_a_second_award_names_who_made_the_first(make, app):
    staff = make.user(Role.STAFF, name="Kim Staff")
    other = make.user(Role.STAFF, name="Lee Other")
    a = make.application(make.cohort(), status="endorsed")
    with app.test_request_context():
        application, _ = _app(a.id)
        apps.decide(application, db.session.get(User, other.id), AppStatus.AWARDED, "Yes")
        db.session.commit()
        application, _ = _app(a.id)
        from sqlalchemy.orm.attributes import set_committed_value

        set_committed_value(application, "status", AppStatus.ENDORSED)  # what the page showed
        with pytest.raises(
            apps.ApplicationChanged,
            match="^This application was awarded a place by Lee Other a moment ago, so it can "
            "no longer be awarded a place.$",
        ):
            apps.decide(application, db.session.get(User, staff.id), AppStatus.AWARDED, "Yes")
        db.session.rollback()
        assert db.session.scalar(select(func.count(Award.id))) == 1


def test_revealing_scores_revealed_underneath_is_refused(make, app):
    staff = make.user(Role.STAFF)
    cohort = make.cohort()
    with app.test_request_context():
        c = db.session.get(Cohort, cohort.id)
        assert c.scores_revealed is False
        underneath(Cohort, cohort.id, scores_revealed=True)
        with pytest.raises(apps.ApplicationChanged, match="already revealed"):
            apps.reveal_scores(c, db.session.get(User, staff.id))
        assert audit_count("cohort.scores_revealed") == 0


# Withdrawing tells the PSW who was asked to sign ----------------------------------------


def test_withdrawing_a_submitted_application_tells_the_psw_asked_to_sign_it(make, app, browser):
    employer = make.org()
    psw = make.user(Role.PSW, orgs=[employer], name="Helen Brooks")
    applicant = make.user(Role.APPLICANT, orgs=[employer], name="Alex O'Neill & Co")
    a = make.application(
        make.cohort(name="2026-27"),
        applicant=applicant,
        employer=employer,
        psw=psw,
        status="submitted",
    )
    browser.sign_in(applicant.email)
    url = f"/applications/{a.id}/withdraw"
    resp = browser.post(url, {"reason": "I've moved to a new job"}, token_from=url)
    assert resp.status_code == 302
    with app.app_context():
        [mail] = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "psw_application_withdrawn")
        ).all()
        assert mail.to_address == psw.email
        assert mail.subject == "Alex O'Neill & Co has withdrawn their application"
        assert mail.body.startswith("Dear Helen Brooks,")
        assert "Alex O'Neill & Co has withdrawn their application to the 2026-27" in mail.body
        assert 'Their reason: "I\'ve moved to a new job"' in mail.body
        assert "You no longer need to" in mail.body
        assert "&amp;" not in mail.body and "&#39;" not in mail.body
        assert db.session.get(Application, a.id).status == AppStatus.WITHDRAWN


def test_withdrawing_an_endorsed_application_tells_the_psw_who_signed(make, app):
    a = make.application(make.cohort(), status="endorsed")
    with app.test_request_context():
        application, applicant = _app(a.id)
        apps.withdraw(application, applicant)
        [mail] = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "psw_application_withdrawn")
        ).all()
        assert mail.to_address == application.psw.email
        assert "You signed the application off." in mail.body


@pytest.mark.parametrize("status", ["draft", "psw_declined"])
def test_no_psw_email_when_no_sign_off_is_waiting_or_given(make, app, status):
    a = make.application(make.cohort(), status=status)
    with app.test_request_context():
        application, applicant = _app(a.id)
        apps.withdraw(application, applicant)
        assert application.status == AppStatus.WITHDRAWN
        assert mail_count("psw_application_withdrawn") == 0
