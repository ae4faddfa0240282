"""Every demo sign-in, through a real browser, with axe-core on every page visited.

Screenshots go to test-artifacts/screens/<name>.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    check_page,
    click_and_wait,
    sign_in,
    sign_out,
    visit,
)

pytestmark = pytest.mark.browser

# (email, name, what the home page says they are signed in as, a short name for screens)
ROLES = [
    ("staff@demo.test", "Sam Okafor", ["programme staff"], "staff"),
    ("applicant@demo.test", "Alex Morgan", ["applicant"], "applicant"),
    ("holder@demo.test", "Priya Shah", ["award holder", "applicant"], "holder"),
    ("manager@demo.test", "Jordan Lee", ["line manager"], "manager"),
    ("psw@demo.test", "Helen Brooks", ["principal social worker"], "psw"),
    ("director@demo.test", "Martin Hughes", ["assistant director"], "director"),
    ("supervisor@demo.test", "Dr Ruth Evans", ["academic supervisor"], "supervisor"),
    ("coach@demo.test", "Chris Walker", ["coach"], "coach"),
]
STAFF_ONLY_NAV = ["People", "Audit log"]
# Staff pages reached from the staff home page's cards rather than the header.
STAFF_ONLY_CARDS = ["Organisations", "Outbox"]


def nav(page: Page):
    return page.locator("header").get_by_role("navigation", name="Menu")


def account_nav(page: Page):
    return page.locator("header").get_by_role("navigation", name="Your account")


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def expect_sign_in_page(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/account/sign-in(\?.*)?$"))
    expect(h1(page)).to_have_text("Sign in")


def expect_error_summary(page: Page) -> None:
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link").first).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))


# --- pages anyone can see --------------------------------------------------------------


def test_public_pages(page: Page):
    visit(page, "/start", "start")
    expect(h1(page)).to_be_visible()
    expect(page.locator("header")).to_contain_text("Sign in")

    visit(page, "/account/sign-in", "sign-in")
    expect_sign_in_page(page)

    visit(page, "/account/forgot-password", "forgot-password")
    expect(h1(page)).to_be_visible()

    visit(page, "/accessibility", "accessibility")
    expect(h1(page)).to_be_visible()

    visit(page, "/no-such-page", "not-found", status=404)
    expect(h1(page)).to_have_text("Page not found")


def test_failed_sign_in_shows_the_error_summary(page: Page):
    sign_in(page, "staff@demo.test", "not-the-password")
    check_page(page, "sign-in-failed")
    expect_sign_in_page(page)
    expect_error_summary(page)
    expect(page.get_by_label("Email address")).to_have_value("staff@demo.test")
    expect(page.locator("header")).not_to_contain_text("Sign out")


def test_register_page_and_its_errors(page: Page):
    visit(page, "/account/register", "register")
    click_and_wait(page, page.get_by_role("button", name="Create account"))
    check_page(page, "register-errors")
    expect_error_summary(page)
    expect(page.locator(".nhsuk-error-message").first).to_be_visible()


# --- every role signs in and out ----------------------------------------------------


@pytest.mark.parametrize(("email", "name", "labels", "short"), ROLES, ids=[r[3] for r in ROLES])
def test_each_role_signs_in_and_out(page: Page, email, name, labels, short):
    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/$"))
    check_page(page, f"{short}-home")
    expect(h1(page)).to_have_text(f"Hello, {name}")
    lede = page.locator(".nhsuk-lede-text")
    for label in labels:
        expect(lede).to_contain_text(label)
    account = account_nav(page)
    expect(account.get_by_role("link", name=name)).to_have_attribute("href", "/account/")
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()

    menu = nav(page)
    expect(menu.get_by_role("link", name="Home")).to_be_visible()
    if short == "staff":
        for item in STAFF_ONLY_NAV:
            expect(menu.get_by_role("link", name=item, exact=True)).to_be_visible()
        expect(menu.get_by_role("link", name="More")).to_have_count(0)  # nothing folded away
        for item in STAFF_ONLY_CARDS:
            expect(page.locator("main").get_by_role("link", name=item, exact=True)).to_be_visible()
    else:
        for item in STAFF_ONLY_NAV:
            expect(menu.get_by_role("link", name=item, exact=True)).to_have_count(0)
        expect(page.get_by_role("link", name="Audit log")).to_have_count(0)
        # Staff pages are refused, not just hidden from the menu. (One role opens the
        # refusal page in the browser; the others ask without loading a page.)
        if short == "applicant":
            visit(page, "/audit/", "forbidden", status=403)
            expect(h1(page)).to_be_visible()
        else:
            assert page.request.get("/audit/", max_redirects=0).status == 403

    visit(page, "/account/", f"{short}-account")
    expect(h1(page)).to_be_visible()
    expect(page.locator("main")).to_contain_text(email)

    sign_out(page)
    check_page(page, "signed-out" if short == "staff" else None)
    expect_sign_in_page(page)
    expect(page.locator("header")).not_to_contain_text(name)
    expect(account_nav(page).get_by_role("link", name="Sign in")).to_be_visible()
    # Signed out for real: the session cookie no longer reaches a private page.
    response = page.request.get("/account/", max_redirects=0)
    assert response.status == 302
    assert "/account/sign-in" in response.headers["location"]


# --- the staff pages -------------------------------------------------------------------


def test_staff_pages(page: Page):
    sign_in(page, "staff@demo.test")
    check_page(page, None)
    expect(h1(page)).to_have_text("Hello, Sam Okafor")

    # People: the list, one person, the invitation form and its errors.
    visit(page, "/account/people", "people")
    expect(h1(page)).to_have_text("People")
    person = page.locator("main table").get_by_role("link").first
    click_and_wait(page, person)
    check_page(page, "person")
    expect(page).to_have_url(re.compile(r"/account/people/\d+$"))
    expect(h1(page)).to_be_visible()

    visit(page, "/account/people/invite", "invite")
    click_and_wait(page, page.get_by_role("button", name="Send invitation"))
    check_page(page, "invite-errors")
    expect_error_summary(page)
    expect(page.locator(".nhsuk-error-message").first).to_be_visible()

    # Organisations: the list, one organisation and the new-organisation form.
    visit(page, "/organisations/", "organisations")
    click_and_wait(page, page.locator("main").get_by_role("link", name="Bramley City Council"))
    check_page(page, "organisation")
    expect(page).to_have_url(re.compile(r"/organisations/\d+$"))
    expect(h1(page)).to_contain_text("Bramley City Council")
    visit(page, "/organisations/new", "organisation-new")

    visit(page, "/audit/", "audit")
    expect(h1(page)).to_have_text("Audit log")
    visit(page, "/outbox/", "outbox")
    expect(h1(page)).to_have_text("Outbox")
    visit(page, "/account/", "staff-account")
    visit(page, "/account/password", "change-password")

    # The home page on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, "/", "staff-home-mobile")
    expect(h1(page)).to_have_text("Hello, Sam Okafor")
    sign_out(page)
    check_page(page, "signed-out-mobile")
    expect_sign_in_page(page)
