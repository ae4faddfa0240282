"""The PSW sign-off rules, pinned at the service (not only the form):

- endorsing needs both statements confirmed: one of the two is refused by
  `services.sign_off` itself, and changes nothing;
- an endorsement covers the content the PSW read: changing any answer without a new
  version (so without a new sign-off) makes it invalid, and no decision can be made on it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.applications import services
from app.applications.models import (
    Application,
    AppStatus,
    Degree,
    Gender,
    PriorResearch,
    ServiceArea,
    SignOff,
)
from app.applications.sections import CONTENT_FIELDS
from app.cohorts.models import PriorityArea
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.extensions import db


def _load(application_id: int) -> Application:
    return db.session.get(Application, application_id)


# Both statements ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "release,strategic,field",
    [(True, False, "confirm_strategic"), (False, True, "confirm_release")],
)
def test_the_service_refuses_an_endorsement_with_one_statement_of_two(
    make, app, release, strategic, field
):
    a = make.application(make.cohort(), status="submitted")
    with app.test_request_context():
        application = _load(a.id)
        psw = db.session.get(User, application.psw_id)
        audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
        with pytest.raises(services.ApplicationError, match="confirm both statements") as refused:
            services.sign_off(
                application,
                psw,
                endorse=True,
                confirmed_release=release,
                confirmed_strategic=strategic,
            )
        assert refused.value.field == field
        db.session.flush()
        assert application.status == AppStatus.SUBMITTED
        assert db.session.scalar(select(func.count(SignOff.id))) == 0
        assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_before
        db.session.rollback()


def test_the_service_accepts_an_endorsement_with_both_statements(make, app):
    a = make.application(make.cohort(), status="submitted")
    with app.test_request_context():
        application = _load(a.id)
        psw = db.session.get(User, application.psw_id)
        record = services.sign_off(
            application, psw, endorse=True, confirmed_release=True, confirmed_strategic=True
        )
        db.session.commit()
        assert record.confirmed_release and record.confirmed_strategic
        assert application.status == AppStatus.ENDORSED
        assert services.valid_endorsement(application)


# The endorsement covers the content ----------------------------------------------------


def _changed_values(application: Application, others: dict[str, int]) -> dict[str, object]:
    """A different value for every field the PSW signs off."""
    area = PriorityArea(
        cohort_id=application.cohort_id,
        organisation_id=application.employer_id,
        title="Hospital discharge",
    )
    db.session.add(area)
    db.session.flush()
    return {
        "phone": "07700 900999",
        "gender": Gender.SELF_DESCRIBE,
        "gender_self": "Agender",
        "employer_id": others["employer_id"],
        "service_area": ServiceArea.CHILDREN,
        "team": "Duty and assessment",
        "current_role": "Team manager",
        "is_social_worker": False,
        "profession": "Occupational therapist",
        "professional_qualification": "BSc Occupational Therapy",
        "highest_degree": Degree.DOCTORATE,
        "years_qualified": 8,
        "prior_research": PriorResearch.NONE,
        "prior_research_details": "None yet",
        "research_question": "A different question",
        "background": "A different background",
        "strategic_relevance": "A different reason",
        "priority_area_id": area.id,
        "methods": "A survey",
        "expected_impact": "A different impact",
        "line_manager_id": others["line_manager_id"],
        "psw_id": others["psw_id"],
        "declare_accurate": False,
        "declare_commitment": False,
    }


def test_changing_any_answer_without_a_new_version_invalidates_the_endorsement(make, app):
    a = make.application(make.cohort(), status="endorsed")
    others = {  # made first: the factory commits in a session of its own
        "employer_id": make.org().id,
        "line_manager_id": make.user(Role.LINE_MANAGER).id,
        "psw_id": make.user(Role.PSW).id,
    }
    with app.test_request_context():
        application = _load(a.id)
        version = application.version
        assert services.valid_endorsement(application)
        changed = _changed_values(application, others)
        # every signed field is covered here: a new field must be added to this test
        assert set(changed) == set(CONTENT_FIELDS)
        for name, value in changed.items():
            original = getattr(application, name)
            assert original != value, name
            setattr(application, name, value)
            db.session.flush()
            assert application.version == version and application.current_sign_off is not None
            assert not services.valid_endorsement(application), f"{name} is not signed"
            setattr(application, name, original)
            db.session.flush()
            assert services.valid_endorsement(application), name
        db.session.rollback()


def test_no_decision_on_an_endorsement_whose_content_changed(make, app):
    cohort = make.cohort()
    a = make.application(cohort, status="endorsed")
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        # written past the services (as a bug or a direct edit would), version unchanged
        db.session.execute(
            db.update(Application)
            .where(Application.id == a.id)
            .values(research_question="Something the PSW never read")
        )
        db.session.commit()
        application = _load(a.id)
        actor = db.session.get(User, staff.id)
        assert application.status == AppStatus.ENDORSED
        assert not services.valid_endorsement(application)
        with pytest.raises(services.ApplicationError, match="current sign-off"):
            services.shortlist(application, actor)
        for outcome in (AppStatus.AWARDED, AppStatus.WAITLISTED, AppStatus.DECLINED):
            with pytest.raises(services.ApplicationError, match="current sign-off"):
                services.decide(application, actor, outcome, "Thank you")
        db.session.rollback()
        assert _load(a.id).status == AppStatus.ENDORSED


def test_the_selection_page_says_the_changed_application_is_not_signed_off(make, app, browser):
    a = make.application(make.cohort(), status="endorsed")
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    url = f"/selection/applications/{a.id}"
    assert "Sign-off out of date" not in browser.get(url).get_data(as_text=True)
    with app.app_context():
        db.session.execute(
            db.update(Application).where(Application.id == a.id).values(methods="Changed later")
        )
        db.session.commit()
    page = browser.get(url).get_data(as_text=True)
    assert "Sign-off out of date" in page and "No current PSW endorsement" in page
    resp = browser.post(
        f"{url}/decision", {"outcome": "awarded", "message": "Well done"}, token_from=url
    )
    assert resp.status_code == 200
    assert "current sign-off" in resp.get_data(as_text=True)
    with app.app_context():
        assert _load(a.id).status == AppStatus.ENDORSED
