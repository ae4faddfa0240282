"""Unit tests of the application rules (the HTTP journeys are tested per feature)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.applications import services
from app.applications.models import Application, AppStatus, SignOff
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.clock import today
from app.core.roles import Role
from app.extensions import db


@pytest.mark.parametrize(
    "status",
    [
        "draft",
        "submitted",
        "endorsed",
        "psw_declined",
        "shortlisted",
        "awarded",
        "declined",
        "waitlisted",
        "withdrawn",
    ],
)
def test_factory_reaches_every_status(make, status):
    cohort = make.cohort()
    app_ = make.application(cohort, status=status)
    assert app_.status == AppStatus(status)


def test_award_creates_programme_record_and_role(make, app):
    cohort = make.cohort(residential_days=6, study_days=30, personal_award_cap_pence=350_000)
    a = make.application(cohort, status="awarded")
    with app.app_context():
        award = db.session.scalar(db.select(Award).where(Award.application_id == a.id))
        assert award.study_days == 30 and award.personal_award_cap_pence == 350_000
        assert {o.kind.value for o in award.outputs} == {
            "poster",
            "presentation",
            "report",
            "summary",
        }
        assert Role.AWARD_HOLDER in award.holder.roles


def test_awarding_beyond_places_is_refused(make, app):
    cohort = make.cohort(places=1)
    make.application(cohort, status="awarded")
    second = make.application(cohort, status="endorsed")
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        a = db.session.get(Application, second.id)
        with pytest.raises(services.ApplicationError, match="All 1 places"):
            services.decide(a, db.session.get(type(staff), staff.id), AppStatus.AWARDED, "")
        db.session.rollback()
        assert db.session.get(Application, second.id).status == AppStatus.ENDORSED


def test_decision_on_unsigned_application_is_refused(make, app):
    cohort = make.cohort()
    submitted = make.application(cohort, status="submitted")
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        a = db.session.get(Application, submitted.id)
        s = db.session.get(type(staff), staff.id)
        for outcome in (AppStatus.AWARDED, AppStatus.DECLINED, AppStatus.WAITLISTED):
            with pytest.raises(services.ApplicationError, match="sign-off"):
                services.decide(a, s, outcome, "")


def test_sign_off_by_another_employers_psw_is_refused(make, app):
    cohort = make.cohort()
    submitted = make.application(cohort, status="submitted")
    stranger = make.user(Role.PSW, orgs=[make.org()])
    with app.test_request_context():
        a = db.session.get(Application, submitted.id)
        with pytest.raises(services.ApplicationError, match="employer"):
            services.sign_off(
                a,
                db.session.get(type(stranger), stranger.id),
                endorse=True,
                confirmed_release=True,
                confirmed_strategic=True,
            )


def test_sign_off_cannot_be_altered(make, app):
    cohort = make.cohort()
    endorsed = make.application(cohort, status="endorsed")
    with app.app_context():
        s = db.session.scalar(db.select(SignOff).where(SignOff.application_id == endorsed.id))
        s.reason = "changed my mind"
        with pytest.raises(services.SignOffIsFinal):
            db.session.commit()
        db.session.rollback()


def test_submission_outside_window_keeps_the_draft(make, app):
    cohort = make.cohort()
    draft = make.application(cohort)
    with app.test_request_context():
        a = db.session.get(Application, draft.id)
        c = db.session.get(Cohort, cohort.id)
        with pytest.raises(services.ApplicationError, match="closed"):
            services.submit(a, a.applicant, c.applications_close + timedelta(days=1))
        with pytest.raises(services.ApplicationError, match="open on"):
            services.submit(a, a.applicant, c.applications_open - timedelta(days=1))
        assert a.status == AppStatus.DRAFT and a.version == 0


def test_changed_application_needs_new_sign_off(make, app):
    cohort = make.cohort()
    endorsed = make.application(cohort, status="endorsed")
    with app.test_request_context():
        a = db.session.get(Application, endorsed.id)
        assert services.valid_endorsement(a)
        services.reopen(a, a.applicant, today())
        services.save_section(
            a, "research", {"research_question": "A different question?"}, a.applicant
        )
        services.submit(a, a.applicant, today())
        assert a.status == AppStatus.SUBMITTED and a.current_sign_off is None
        assert not services.valid_endorsement(a)


def test_second_application_to_same_cohort_refused(make, app):
    cohort = make.cohort()
    first = make.application(cohort)
    with app.test_request_context():
        a = db.session.get(Application, first.id)
        with pytest.raises(services.ApplicationError, match="already started"):
            services.start_application(a.applicant, a.cohort, today())


def test_editing_after_submission_refused(make, app):
    cohort = make.cohort()
    submitted = make.application(cohort, status="submitted")
    with app.test_request_context():
        a = db.session.get(Application, submitted.id)
        with pytest.raises(services.ApplicationError, match="can no longer be changed"):
            services.save_section(a, "personal", {"phone": "0"}, a.applicant)


def test_sign_off_on_withdrawn_application_refused(make, app):
    cohort = make.cohort()
    employer = make.org()
    psw = make.user(Role.PSW, orgs=[employer])
    submitted = make.application(cohort, employer=employer, psw=psw, status="submitted")
    with app.test_request_context():
        a = db.session.get(Application, submitted.id)
        services.withdraw(a, a.applicant)
        with pytest.raises(services.ApplicationError, match="withdrawn"):
            services.sign_off(
                a,
                db.session.get(type(psw), psw.id),
                endorse=True,
                confirmed_release=True,
                confirmed_strategic=True,
            )


def test_psw_invited_by_the_applicant_cannot_sign_until_staff_confirm(make, app):
    from app.accounts import services as accounts
    from app.accounts.models import User

    cohort = make.cohort()
    employer = make.org()
    submitted = make.application(cohort, employer=employer, status="submitted")
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        a = db.session.get(Application, submitted.id)
        fake = accounts.invite_user(
            a.applicant, "My Friend", "friend@example.test", [Role.PSW], [a.employer]
        )
        fake.status = type(fake.status).ACTIVE
        assert fake.needs_staff_confirmation
        with pytest.raises(services.ApplicationError, match="Programme staff need to confirm"):
            services.sign_off(
                a, fake, endorse=True, confirmed_release=True, confirmed_strategic=True
            )
        accounts.update_user_access(db.session.get(User, staff.id), fake, [Role.PSW], [a.employer])
        assert not fake.needs_staff_confirmation
        services.sign_off(a, fake, endorse=True, confirmed_release=True, confirmed_strategic=True)
        assert a.status == AppStatus.ENDORSED


def test_people_invited_by_staff_need_no_confirmation(make, app):
    from app.accounts import services as accounts
    from app.accounts.models import User

    staff = make.user(Role.STAFF)
    org = make.org()
    with app.test_request_context():
        from app.organisations.models import Organisation

        user = accounts.invite_user(
            db.session.get(User, staff.id),
            "Real PSW",
            "real.psw@example.test",
            [Role.PSW],
            [db.session.get(Organisation, org.id)],
        )
        assert not user.needs_staff_confirmation
