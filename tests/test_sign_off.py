"""PSW sign-off through HTTP: the list, the page, endorse/decline, who may, and finality."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.applications import services
from app.applications.models import Application, AppStatus, SignOff, SignOffDecision
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.extensions import db
from tests.helpers import last_email, link_in, text


def _setup(make, status="submitted", **fields):
    employer = make.org(name=fields.pop("employer_name", None))
    psw = make.user(Role.PSW, orgs=[employer], name="Helen Brooks")
    applicant = make.user(Role.APPLICANT, orgs=[employer], name=fields.pop("name", "Alex Morgan"))
    cohort = make.cohort(fields.pop("cohort_name", None), **fields)
    app_ = make.application(cohort, applicant=applicant, employer=employer, psw=psw, status=status)
    return app_, psw, applicant, employer, cohort


def _load(app, application_id) -> Application:
    a = db.session.get(Application, application_id)
    return a


def _sign_offs(app, application_id) -> list[SignOff]:
    with app.app_context():
        return list(
            db.session.scalars(select(SignOff).where(SignOff.application_id == application_id))
        )


def _status(app, application_id) -> AppStatus:
    with app.app_context():
        return db.session.get(Application, application_id).status


def url(a) -> str:
    return f"/applications/{a.id}/sign-off"


# The list and the home page ---------------------------------------------------------------


def test_list_shows_own_employers_waiting_first_then_decided(make, browser):
    a, psw, _, employer, cohort = _setup(make, name="Wendy Waiting")
    other_psw = make.user(Role.PSW, orgs=[employer])
    decided_applicant = make.user(Role.APPLICANT, orgs=[employer], name="Dora Decided")
    make.application(
        cohort, applicant=decided_applicant, employer=employer, psw=other_psw, status="endorsed"
    )
    make.application(cohort, status="submitted")  # another authority's: not shown
    draft_applicant = make.user(Role.APPLICANT, orgs=[employer], name="Dan Draft")
    make.application(cohort, applicant=draft_applicant, employer=employer, psw=psw)

    browser.sign_in(psw.email)
    page = text(browser.get("/applications/sign-off"))
    assert page.index("Waiting for your sign-off") < page.index("Wendy Waiting")
    assert page.index("Wendy Waiting") < page.index("Decided") < page.index("Dora Decided")
    assert url(a) in page
    assert "Dan Draft" not in page
    # one waiting, one decided; nobody else's
    assert len(re.findall(r"/applications/\d+/sign-off", page)) == 2


def test_home_card_and_navigation_for_psw(make, browser):
    a, psw, _, employer, cohort = _setup(make)
    make.application(cohort, employer=employer, psw=psw, status="submitted")
    browser.sign_in(psw.email)
    home = text(browser.get("/"))
    assert "2 applications waiting for your sign-off" in home
    assert 'href="/applications/sign-off"' in home and "Sign-offs" in home


def test_email_link_opens_the_sign_off_page_with_the_whole_application(make, browser, app):
    a, psw, applicant, employer, cohort = _setup(make, residential_days=6, study_days=30)
    path = link_in(last_email(app, psw.email).body, "/sign-off")
    assert path == url(a)
    browser.sign_in(psw.email)
    page = text(browser.get(path))
    for answer in (
        "Alex Morgan",
        "Senior social worker",
        "Hospital discharge team",
        "Adults",
        "MA Social Work",
        "How do carers experience hospital discharge planning?",
        "Discharge planning is quick and carers report feeling left out.",
        "Our carers strategy names discharge as a priority.",
        "Semi-structured interviews with ten carers.",
        "A practice guide for discharge teams.",
        employer.name,
    ):
        assert answer in page, answer
    with app.app_context():
        release, strategic = services.statements(_load(app, a.id))
    assert "36 days of the programme (6 residential workshop days and 30 study days)" in release
    assert release in page and strategic in page
    assert "07700 900123" not in page  # contact details are for the programme team only


def test_statements_read_the_cohorts_figures(make, browser, app):
    a, psw, *_ = _setup(make, residential_days=4, study_days=20)
    browser.sign_in(psw.email)
    page = text(browser.get(url(a)))
    assert "24 days of the programme (4 residential workshop days and 20 study days)" in page


# Endorse -------------------------------------------------------------------------------------


def test_endorsing_needs_both_statements(make, browser, app):
    a, psw, applicant, *_ = _setup(make)
    browser.sign_in(psw.email)

    only_release = browser.post(url(a), {"decision": "endorse", "confirm_release": "y"})
    assert only_release.status_code == 200
    assert "Confirm the question's strategic importance to endorse" in text(only_release)
    assert "<title>Error:" in only_release.get_data(as_text=True)

    only_strategic = browser.post(url(a), {"decision": "endorse", "confirm_strategic": "y"})
    assert "Confirm the release from work to endorse" in text(only_strategic)

    neither = browser.post(url(a), {"decision": "endorse"})
    assert "Confirm the release from work to endorse" in text(neither)
    assert "Confirm the question's strategic importance to endorse" in text(neither)

    nothing = browser.post(url(a), {})
    assert "Select whether you endorse the application" in text(nothing)

    assert _sign_offs(app, a.id) == []
    assert _status(app, a.id) == AppStatus.SUBMITTED

    both = browser.post(
        url(a), {"decision": "endorse", "confirm_release": "y", "confirm_strategic": "y"}
    )
    assert both.status_code == 302
    [record] = _sign_offs(app, a.id)
    assert record.decision == SignOffDecision.ENDORSED
    assert record.psw_id == psw.id
    assert record.confirmed_release and record.confirmed_strategic
    assert "released from their job for the 36 days" in record.release_statement
    assert "strategic importance to" in record.strategic_statement
    assert _status(app, a.id) == AppStatus.ENDORSED
    assert "has signed off your application" in last_email(app, applicant.email).body
    with app.app_context():
        assert db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "application.status_changed",
                AuditEntry.object_id == a.id,
                AuditEntry.actor_id == psw.id,
            )
        )


def test_signed_record_is_shown_and_cannot_be_altered(make, browser, app):
    a, psw, *_ = _setup(make)
    browser.sign_in(psw.email)
    browser.post(url(a), {"decision": "endorse", "confirm_release": "y", "confirm_strategic": "y"})
    [record] = _sign_offs(app, a.id)

    page = text(browser.get(url(a)))
    assert "Helen Brooks" in page and "Endorsed" in page
    assert record.release_statement in page and record.strategic_statement in page
    assert 'name="decision"' not in page  # read-only now
    assert "cannot be changed" in page

    again = browser.post(url(a), {"decision": "decline", "reason": "Changed my mind"})
    assert again.status_code == 302
    shown = text(browser.get(again.headers["Location"]))
    assert "already signed off by Helen Brooks" in shown
    [still] = _sign_offs(app, a.id)
    assert (still.id, still.decision, still.reason) == (record.id, SignOffDecision.ENDORSED, "")
    assert _status(app, a.id) == AppStatus.ENDORSED


# Decline --------------------------------------------------------------------------------------


def test_declining_needs_a_reason_the_applicant_sees(make, browser, app):
    a, psw, applicant, *_ = _setup(make)
    browser.sign_in(psw.email)
    blank = browser.post(url(a), {"decision": "decline", "reason": "   "})
    assert "Give a reason for not endorsing the application" in text(blank)
    assert _sign_offs(app, a.id) == []

    reason = "We cannot release staff from this team during the restructure."
    done = browser.post(url(a), {"decision": "decline", "reason": reason, "confirm_release": "y"})
    assert done.status_code == 302
    [record] = _sign_offs(app, a.id)
    assert record.decision == SignOffDecision.DECLINED and record.reason == reason
    assert not record.confirmed_release  # a ticked box under "Do not endorse" confirms nothing
    assert _status(app, a.id) == AppStatus.PSW_DECLINED
    email = last_email(app, applicant.email)
    assert email.subject == "Your application was not endorsed"
    assert reason in email.body
    assert reason in text(browser.get(url(a)))


def test_overlong_reason_is_refused(make, browser, app):
    a, psw, *_ = _setup(make)
    browser.sign_in(psw.email)
    resp = browser.post(url(a), {"decision": "decline", "reason": "x" * 2001})
    assert "Reason must be 2000 characters or fewer" in text(resp)
    assert _sign_offs(app, a.id) == []


# Who may, and when ------------------------------------------------------------------------


def test_another_authoritys_psw_gets_404_and_cannot_sign(make, browser, app):
    a, *_ = _setup(make)
    stranger = make.user(Role.PSW, orgs=[make.org()])
    browser.sign_in(stranger.email)
    assert browser.get(url(a)).status_code == 404
    resp = browser.post(
        url(a),
        {"decision": "endorse", "confirm_release": "y", "confirm_strategic": "y"},
        token_from="/account/",
    )
    assert resp.status_code == 404
    assert _sign_offs(app, a.id) == []
    assert url(a) not in text(browser.get("/applications/sign-off"))


def test_another_psw_of_the_same_employer_may_sign(make, browser, app):
    a, _psw, _, employer, _ = _setup(make)
    colleague = make.user(Role.PSW, orgs=[employer])
    browser.sign_in(colleague.email)
    resp = browser.post(url(a), {"decision": "decline", "reason": "Not this year"})
    assert resp.status_code == 302
    assert _sign_offs(app, a.id)[0].psw_id == colleague.id


def test_other_roles_are_refused(make, browser):
    a, _, applicant, employer, _ = _setup(make)
    manager = make.user(Role.LINE_MANAGER, orgs=[employer])
    for who in (applicant, manager, make.user(Role.STAFF)):
        b = browser
        b.sign_in(who.email)
        assert b.get(url(a)).status_code == 403
        assert b.get("/applications/sign-off").status_code == 403
        b.sign_out()


def test_withdrawn_application_cannot_be_signed(make, browser, app):
    a, psw, applicant, *_ = _setup(make)
    with app.test_request_context():
        services.withdraw(_load(app, a.id), db.session.get(type(applicant), applicant.id))
        db.session.commit()
    browser.sign_in(psw.email)
    page = text(browser.get(url(a)))
    assert "This application has been withdrawn, so it cannot be signed off." in page
    assert 'name="decision"' not in page
    resp = browser.post(
        url(a), {"decision": "endorse", "confirm_release": "y", "confirm_strategic": "y"}
    )
    assert resp.status_code == 302
    assert "withdrawn, so it cannot be signed off" in text(browser.get(url(a)))
    assert _sign_offs(app, a.id) == []
    assert _status(app, a.id) == AppStatus.WITHDRAWN


def test_draft_application_cannot_be_signed_and_is_not_shown(make, browser, app):
    a, psw, *_ = _setup(make, status="draft")
    browser.sign_in(psw.email)
    page = text(browser.get(url(a)))
    assert "This application is a draft" in page
    assert "How do carers experience" not in page  # not shared until submitted
    resp = browser.post(url(a), {"decision": "decline", "reason": "No"})
    assert resp.status_code == 302
    assert _sign_offs(app, a.id) == []
    assert _status(app, a.id) == AppStatus.DRAFT


def test_unknown_application_is_404(make, browser):
    psw = make.user(Role.PSW, orgs=[make.org()])
    browser.sign_in(psw.email)
    assert browser.get("/applications/999999/sign-off").status_code == 404


def test_earlier_sign_off_stays_visible_after_the_applicant_changes_it(make, browser, app):
    from app.core.clock import today

    a, psw, applicant, *_ = _setup(make, status="psw_declined")
    with app.test_request_context():
        application = _load(app, a.id)
        user = db.session.get(type(applicant), applicant.id)
        services.reopen(application, user, today())
        services.save_section(application, "research", {"methods": "A survey."}, user)
        services.submit(application, user, today())
        db.session.commit()
    browser.sign_in(psw.email)
    page = text(browser.get(url(a)))
    assert "Earlier sign-offs" in page and "Not a priority this year" in page
    assert 'name="decision"' in page  # the new version can be signed


def test_psw_invited_by_an_applicant_cannot_see_until_staff_confirm(make, browser, app):
    from app.accounts.models import User

    a, psw, applicant, employer, _ = _setup(make)
    invited = make.user(Role.PSW, orgs=[employer])
    with app.app_context():
        db.session.get(User, invited.id).invited_by_id = applicant.id
        db.session.commit()
    browser.sign_in(invited.email)
    listing = browser.get("/applications/sign-off")
    assert listing.status_code == 403
    assert "Your access is waiting for programme staff" in text(listing)
    assert url(a) not in text(listing)
    assert "Your access is waiting for programme staff" in text(browser.get("/"))
    assert browser.get(url(a)).status_code == 403
    resp = browser.post(url(a), {"decision": "decline", "reason": "x"}, token_from="/account/")
    assert resp.status_code == 403
    assert _sign_offs(app, a.id) == []
