"""Who may reach what: every endpoint declares a rule, and each role is checked
against every page. Adding a route without a declaration, or without a row
here, fails the build."""

from __future__ import annotations

import pytest

from app.core.access import rule_for
from app.core.roles import Role
from tests.matrix import ALL, all_actions, all_pages, all_records

PAGES = all_pages()
ACTIONS = all_actions()


def test_every_endpoint_declares_who_may_reach_it(app):
    missing = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule_for(rule.endpoint) is None:
                missing.append(rule.endpoint)
    assert not missing, f"endpoints without an access declaration: {missing}"


def test_every_endpoint_is_in_the_access_matrix(app):
    known = set(PAGES) | set(ACTIONS)
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if not r.endpoint.endswith("static")}
    assert endpoints - known == set(), "add these endpoints to tests/test_access.py"


def test_matrix_matches_declarations(app):
    with app.test_request_context():
        for endpoint, allowed in [*((e, p.allowed) for e, p in PAGES.items()), *ACTIONS.items()]:
            rule = rule_for(endpoint)
            if allowed is None:
                assert rule.kind == "public", endpoint
            elif allowed == ALL:
                assert rule.kind == "signed_in", endpoint
            else:
                assert rule.kind == "roles" and set(rule.roles) == allowed, endpoint


@pytest.fixture
def records(make, app):
    return all_records(make, app)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_reaches_only_its_pages(role, make, browser_factory, records):
    user = make.user(role)
    b = browser_factory()
    b.sign_in(user.email)
    for endpoint, page in PAGES.items():
        allowed = page.allowed
        resp = b.get(page.url.format(**records))
        if allowed is not None and role in allowed and role in page.not_found_for:
            assert resp.status_code == 404, f"{role} should get 404 for {endpoint}"
        elif allowed is None:
            # public pages; sign-in and register send a signed-in person home
            assert resp.status_code in (200, 302), f"{role} should reach {endpoint}"
        elif role in allowed:
            assert resp.status_code == 200, f"{role} should reach {endpoint}"
        else:
            assert resp.status_code == 403, f"{role} should not reach {endpoint}"


def test_signed_out_visitors_are_sent_to_sign_in(browser, records):
    for endpoint, page in PAGES.items():
        allowed = page.allowed
        resp = browser.get(page.url.format(**records))
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
