"""Who may reach what: every endpoint declares a rule, and each role is checked
against every page. Adding a route without a declaration, or without a row
here, fails the build."""

from __future__ import annotations

import pytest

from app.core.access import rule_for
from app.core.roles import Role

ALL = set(Role)
STAFF = {Role.STAFF}

# endpoint -> (url template, roles allowed; None = public)
PAGES: dict[str, tuple[str, set[Role] | None]] = {
    "home.index": ("/", None),  # signed-out visitors are sent to /start
    "home.start": ("/start", None),
    "home.healthz": ("/healthz", None),
    "home.accessibility": ("/accessibility", None),
    "home.privacy": ("/privacy", None),
    "accounts.sign_in": ("/account/sign-in", None),
    "accounts.register": ("/account/register", None),
    "accounts.resend_confirmation": ("/account/confirm/resend", None),
    "accounts.forgot_password": ("/account/forgot-password", None),
    "accounts.account": ("/account/", ALL),
    "accounts.change_password": ("/account/password", ALL),
    "accounts.user_list": ("/account/people", STAFF),
    "accounts.user_detail": ("/account/people/{user_id}", STAFF),
    "accounts.invite": ("/account/people/invite", STAFF),
    "accounts.edit_access": ("/account/people/{user_id}/access", STAFF),
    "organisations.org_list": ("/organisations/", STAFF),
    "organisations.create": ("/organisations/new", STAFF),
    "organisations.detail": ("/organisations/{org_id}", STAFF),
    "organisations.edit": ("/organisations/{org_id}/edit", STAFF),
    "audit.entry_list": ("/audit/", STAFF),
    "outbox.message_list": ("/outbox/", STAFF),
    "outbox.message_detail": ("/outbox/{message_id}", STAFF),
}

# Endpoints reached only by POST or by an emailed token; covered by their own tests.
POST_OR_TOKEN_ONLY = {
    "accounts.sign_out": ALL,
    "accounts.deactivate": STAFF,
    "accounts.reactivate": STAFF,
    "accounts.resend_invitation": STAFF,
    "organisations.archive": STAFF,
    "accounts.confirm_email": None,
    "accounts.accept_invitation": None,
    "accounts.reset_password": None,
}


def test_every_endpoint_declares_who_may_reach_it(app):
    missing = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule_for(rule.endpoint) is None:
                missing.append(rule.endpoint)
    assert not missing, f"endpoints without an access declaration: {missing}"


def test_every_endpoint_is_in_the_access_matrix(app):
    known = set(PAGES) | set(POST_OR_TOKEN_ONLY)
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if not r.endpoint.endswith("static")}
    assert endpoints - known == set(), "add these endpoints to tests/test_access.py"


def test_matrix_matches_declarations(app):
    with app.test_request_context():
        for endpoint, (_url, allowed) in PAGES.items():
            rule = rule_for(endpoint)
            if allowed is None:
                assert rule.kind == "public", endpoint
            elif allowed == ALL:
                assert rule.kind == "signed_in", endpoint
            else:
                assert rule.kind == "roles" and set(rule.roles) == allowed, endpoint


@pytest.fixture
def records(make, app):
    from app.core.mail import OutboxMessage
    from app.extensions import db

    org = make.org()
    other = make.user(Role.APPLICANT, orgs=[org])
    with app.app_context():
        msg = OutboxMessage(to_address="x@example.test", subject="Hello", body="Hi", template="t")
        db.session.add(msg)
        db.session.commit()
        message_id = msg.id
    return {"user_id": other.id, "org_id": org.id, "message_id": message_id}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_reaches_only_its_pages(role, make, browser_factory, records):
    user = make.user(role)
    b = browser_factory()
    b.sign_in(user.email)
    for endpoint, (url, allowed) in PAGES.items():
        resp = b.get(url.format(**records))
        if allowed is None:
            # public pages; sign-in and register send a signed-in person home
            assert resp.status_code in (200, 302), f"{role} should reach {endpoint}"
        elif role in allowed:
            assert resp.status_code == 200, f"{role} should reach {endpoint}"
        else:
            assert resp.status_code == 403, f"{role} should not reach {endpoint}"


def test_signed_out_visitors_are_sent_to_sign_in(browser, records):
    for endpoint, (url, allowed) in PAGES.items():
        resp = browser.get(url.format(**records))
        if endpoint == "home.index":
            assert resp.headers["Location"].endswith("/start")
        elif allowed is None:
            assert resp.status_code == 200, endpoint
        else:
            assert resp.status_code == 302, endpoint
            assert "/account/sign-in?next=" in resp.headers["Location"]


def test_unknown_ids_answer_404_not_500(make, browser):
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    for url in (
        "/account/people/999999",
        "/organisations/999999",
        "/outbox/999999",
        "/account/people/999999/access",
        "/no-such-page",
    ):
        resp = browser.get(url)
        assert resp.status_code == 404, url
        assert "Page not found" in resp.get_data(as_text=True)


def test_post_only_actions_refuse_other_roles(make, browser, records):
    user = make.user(Role.LINE_MANAGER)
    browser.sign_in(user.email)
    for url in (
        f"/account/people/{records['user_id']}/deactivate",
        f"/organisations/{records['org_id']}/archive",
    ):
        resp = browser.post(url, token_from="/account/")
        assert resp.status_code == 403
