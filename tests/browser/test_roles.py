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

# (email, name, what the home page says they are signed in as, a short screenshot name)
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
STAFF_ONLY_NAV = ["People", "Organisations", "Audit log", "Outbox"]


def nav(page: Page):
    return page.locator("header nav")


def expect_sign_in_page(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/account/sign-in(\?.*)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


# --- pages anyone can see --------------------------------------------------------------


def test_public_pages(page: Page):
    visit(page, "/start", "start")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    visit(page, "/accessibility", "accessibility")
    visit(page, "/account/forgot-password", "forgot-password")

    visit(page, "/no-such-page", "not-found", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_failed_sign_in_shows_the_error_summary(page: Page):
    sign_in(page, "staff@demo.test", "not-the-password")
    check_page(page, "sign-in-failed")
    expect_sign_in_page(page)
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator("header")).not_to_contain_text("Sign out")


def test_register_page_and_its_errors(page: Page):
    visit(page, "/account/register", "register")
    click_and_wait(page, page.locator("main").get_by_role("button"))
    check_page(page, "register-errors")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link").first).to_be_visible()
    expect(page.locator(".nhsuk-error-message").first).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))


# --- every role signs in and out ----------------------------------------------------


@pytest.mark.parametrize(("email", "name", "labels", "short"), ROLES,
                         ids=[r[3] for r in ROLES])
def test_each_role_signs_in_and_out(page: Page, email, name, labels, short):
    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/$"))
    check_page(page, f"{short}-home")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {name}")
    lede = page.locator(".nhsuk-lede-text")
    for label in labels:
        expect(lede).to_contain_text(label)
    expect(page.locator("header")).to_contain_text(name)

    if short == "staff":
        for item in STAFF_ONLY_NAV:
            expect(nav(page).get_by_role("link", name=item, exact=True)).to_be_visible()
    else:
        for item in STAFF_ONLY_NAV:
            expect(nav(page).get_by_role("link", name=item, exact=True)).to_have_count(0)
        expect(page.get_by_role("link", name="Audit log")).to_have_count(0)
        # Staff pages are refused, not just hidden.
        visit(page, "/audit/", f"{short}-audit-refused", status=403)
    expect(nav(page).get_by_role("link", name="Your account")).to_be_visible()

    visit(page, "/account/", f"{short}-account")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(email)

    sign_out(page)
    check_page(page, f"{short}-signed-out")
    expect_sign_in_page(page)
    expect(page.locator("header")).not_to_contain_text(name)
    # Signed out for real: a private page sends you back to sign in.
    page.goto("/account/")
    check_page(page, f"{short}-after-sign-out")
    expect_sign_in_page(page)


# --- the staff pages -------------------------------------------------------------------


def test_staff_pages(page: Page):
    sign_in(page, "staff@demo.test")
    check_page(page, "staff-home-again")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam Okafor")

    # People: list, a person, the invitation form and its errors.
    visit(page, "/account/people", "people")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    person = page.locator("main table a[href*='/account/people/']").first
    expect(person).to_be_visible()
    click_and_wait(page, person)
    check_page(page, "person")
    expect(page).to_have_url(re.compile(r"/account/people/\d+$"))

    visit(page, "/account/people/invite", "invite")
    click_and_wait(page, page.locator("main form").get_by_role("button").last)
    check_page(page, "invite-errors")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("There is a problem")
    expect(page.locator(".nhsuk-error-message").first).to_be_visible()

    # Organisations: list, the new-organisation form and one organisation.
    visit(page, "/organisations/", "organisations")
    org = page.locator("main").get_by_role("link", name="Bramley City Council")
    click_and_wait(page, org)
    check_page(page, "organisation")
    expect(page).to_have_url(re.compile(r"/organisations/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bramley City Council")
    visit(page, "/organisations/new", "organisation-new")

    visit(page, "/audit/", "audit")
    visit(page, "/outbox/", "outbox")
    visit(page, "/account/", "staff-account")
    visit(page, "/account/password", "change-password")

    # The home page on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, "/", "staff-home-mobile")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam Okafor")

    sign_out(page)
    check_page(page, "staff-signed-out-mobile")
    expect_sign_in_page(page)
