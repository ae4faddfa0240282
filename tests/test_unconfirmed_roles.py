"""A role given by invitation (an applicant naming their PSW or line manager) is no role
at all until programme staff confirm it: the access matrix walked as such a person gives
what an applicant gets, and they are told their access is waiting for staff."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.accounts.models import User
from app.applications.models import Application
from app.awards.models import Award
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Membership, Organisation
from tests.matrix import ALL, all_pages, all_records

PAGES = all_pages()
WAITING = "Your access is waiting for programme staff"


def _invited(make, app, role: Role, *, confirmed: bool = False) -> User:
    """`role` given by an applicant's invitation, a member of every organisation, and the
    line manager of every award: with the role confirmed, they would see everything."""
    applicant = make.user(Role.APPLICANT)
    person = make.user(role)
    with app.app_context():
        u = db.session.get(User, person.id)
        u.invited_by_id = applicant.id
        u.access_confirmed_by_id = applicant.id if confirmed else None
        for org_id in db.session.scalars(select(Organisation.id)):
            db.session.add(Membership(user_id=u.id, organisation_id=org_id))
        if role == Role.LINE_MANAGER:
            db.session.execute(update(Award).values(line_manager_id=u.id))
        db.session.commit()
    return person


def _statuses(browser_factory, email: str, urls: dict[str, str]) -> dict[str, int]:
    b = browser_factory()
    b.sign_in(email)
    return {endpoint: b.get(url).status_code for endpoint, url in urls.items()}


@pytest.mark.parametrize("role", [Role.PSW, Role.LINE_MANAGER], ids=lambda r: r.value)
def test_an_unconfirmed_role_reaches_what_an_applicant_reaches(role, make, app, browser_factory):
    records = all_records(make, app)
    urls = {endpoint: page.url.format(**records) for endpoint, page in PAGES.items()}
    invited = _invited(make, app, role)
    applicant = make.user(Role.APPLICANT)
    got = _statuses(browser_factory, invited.email, urls)
    as_applicant = _statuses(browser_factory, applicant.email, urls)
    wrong = {}
    for endpoint, page in PAGES.items():
        # pages an applicant reaches only by holding the applicant role are refused
        by_role = page.allowed not in (None, ALL) and Role.APPLICANT in page.allowed
        expected = 403 if by_role else as_applicant[endpoint]
        if got[endpoint] != expected:
            wrong[endpoint] = (got[endpoint], expected)
    assert not wrong, f"unconfirmed {role}: (got, expected) {wrong}"


@pytest.mark.parametrize(
    "role, endpoint",
    [(Role.PSW, "release.cohort_ledger"), (Role.LINE_MANAGER, "release.approvals")],
    ids=["psw", "line_manager"],
)
def test_once_staff_confirm_the_role_it_works(role, endpoint, make, app, browser_factory):
    """The control for the walk above: confirmed, the same person reaches role pages."""
    records = all_records(make, app)
    url = PAGES[endpoint].url.format(**records)
    waiting = _invited(make, app, role)
    confirmed = _invited(make, app, role, confirmed=True)
    assert _statuses(browser_factory, waiting.email, {endpoint: url})[endpoint] == 403
    assert _statuses(browser_factory, confirmed.email, {endpoint: url})[endpoint] == 200


def test_the_sign_off_link_says_access_is_waiting(make, app, browser_factory):
    records = all_records(make, app)
    psw = _invited(make, app, Role.PSW)
    b = browser_factory()
    b.sign_in(psw.email)
    resp = b.get(f"/applications/{records['application_id']}/sign-off")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 403
    assert WAITING in html and "principal social worker" in html
    assert "Page not found" not in html
    home = b.get("/").get_data(as_text=True)
    assert WAITING in home
    assert "Sign off applications" not in home


def test_staff_confirming_the_role_gives_it_authority(make, app, browser_factory):
    records = all_records(make, app)
    psw = _invited(make, app, Role.PSW)
    staff = make.user(Role.STAFF)
    with app.app_context():
        org_ids = [
            o.organisation_id
            for o in db.session.scalars(select(Membership).where(Membership.user_id == psw.id))
        ]
    s = browser_factory()
    s.sign_in(staff.email)
    page = s.get(f"/account/people/{psw.id}").get_data(as_text=True)
    assert "Principal Social Worker" in page  # staff see the role they are asked to confirm
    resp = s.post(
        f"/account/people/{psw.id}/access",
        {"roles": [Role.PSW.value], "organisations": [str(i) for i in org_ids]},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    b = browser_factory()
    b.sign_in(psw.email)
    resp = b.get(f"/applications/{records['application_id']}/sign-off")
    assert resp.status_code in (200, 404)  # now a PSW: the record rules apply
    assert b.get("/applications/sign-off").status_code == 200


def test_roles_model_drops_invited_roles_until_confirmed(make, app):
    applicant = make.user(Role.APPLICANT)
    person = make.user(Role.PSW, Role.APPLICANT, Role.LINE_MANAGER)
    with app.app_context():
        u = db.session.get(User, person.id)
        assert u.roles == {Role.PSW, Role.APPLICANT, Role.LINE_MANAGER}
        u.invited_by_id = applicant.id
        assert u.roles == {Role.APPLICANT}
        assert u.pending_roles == {Role.PSW, Role.LINE_MANAGER}
        assert not u.has_role(Role.PSW, Role.LINE_MANAGER)
        assert u.granted_roles == {Role.PSW, Role.APPLICANT, Role.LINE_MANAGER}
        u.access_confirmed_by_id = applicant.id
        assert u.has_role(Role.PSW) and not u.pending_roles
        db.session.rollback()


def test_an_unconfirmed_line_manager_is_not_offered_as_a_delegate(make, app, browser_factory):
    org = make.org()
    manager = make.user(Role.LINE_MANAGER, orgs=[org])
    confirmed = make.user(Role.LINE_MANAGER, orgs=[org], name="Confirmed Colleague")
    waiting = make.user(Role.LINE_MANAGER, orgs=[org], name="Waiting Colleague")
    with app.app_context():
        db.session.get(User, waiting.id).invited_by_id = confirmed.id
        db.session.commit()
        assert db.session.scalar(select(Application.id)) is None
    b = browser_factory()
    b.sign_in(manager.email)
    html = b.get("/release/delegations").get_data(as_text=True)
    assert "Confirmed Colleague" in html
    assert "Waiting Colleague" not in html
