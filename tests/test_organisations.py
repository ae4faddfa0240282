"""Programme staff manage employers and universities."""

from __future__ import annotations

from sqlalchemy import select

from app.core.audit import AuditEntry
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Nation, Organisation, OrgKind
from tests.helpers import text


def _staff(browser, make):
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    return staff


def test_add_edit_archive_organisation(browser, make, app):
    _staff(browser, make)
    resp = browser.post(
        "/organisations/new",
        {
            "name": "  Westmoor   Council ",
            "kind": "local_authority",
            "childrens_services": "y",
            "nation": "scotland",
        },
    )
    assert resp.status_code == 302
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Westmoor Council"))
        assert org.kind == OrgKind.LOCAL_AUTHORITY and org.nation == Nation.SCOTLAND
        assert org.childrens_services and not org.adults_services
        org_id = org.id
    assert "Westmoor Council" in text(browser.get(f"/organisations/{org_id}"))
    browser.post(
        f"/organisations/{org_id}/edit",
        {"name": "Westmoor Council", "kind": "university", "nation": "england_and_wales"},
    )
    browser.post(f"/organisations/{org_id}/archive", token_from=f"/organisations/{org_id}")
    with app.app_context():
        org = db.session.get(Organisation, org_id)
        assert org.kind == OrgKind.UNIVERSITY and not org.is_active
        assert not org.childrens_services  # services only apply to local authorities
        actions = [
            e.action
            for e in db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.object_type == "Organisation")
                .order_by(AuditEntry.id)
            )
        ]
    assert actions == ["organisation.created", "organisation.updated", "organisation.archived"]


def test_local_authority_needs_a_service(browser, make):
    _staff(browser, make)
    resp = browser.post(
        "/organisations/new",
        {"name": "No Service Council", "kind": "local_authority", "nation": "scotland"},
    )
    assert resp.status_code == 200
    assert "Select adults' services, children and families' services, or both" in text(resp)


def test_duplicate_name_refused_case_insensitively(browser, make):
    make.org(name="Eastfield Council")
    _staff(browser, make)
    resp = browser.post(
        "/organisations/new",
        {"name": "EASTFIELD council", "kind": "nhs_trust", "nation": "england_and_wales"},
    )
    assert "already exists" in text(resp)


def test_bad_kind_is_a_message_not_a_500(browser, make):
    _staff(browser, make)
    resp = browser.post("/organisations/new", {"name": "Odd", "kind": "castle", "nation": "mars"})
    assert resp.status_code == 200
    assert "There is a problem" in text(resp)


def test_list_filters_by_kind_and_counts_people(browser, make):
    la = make.org(name="Alpha Council")
    make.org(name="Beta University", kind=OrgKind.UNIVERSITY)
    make.user(Role.PSW, orgs=[la])
    make.user(Role.LINE_MANAGER, orgs=[la])
    _staff(browser, make)
    html = text(browser.get("/organisations/?kind=university"))
    assert "Beta University" in html and "Alpha Council" not in html
    html = text(browser.get("/organisations/?q=alpha"))
    assert "Alpha Council" in html
    assert ">2</td>" in html.replace(" ", "").replace("\n", "") or "2" in html
