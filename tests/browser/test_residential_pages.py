"""Residential workshops in a real browser, with axe on every page: programme staff keep
the register for a day of the running cohort's second workshop (demo data, 6 and 7 October
2026) on a laptop; an award holder replies to the third workshop on a phone (390px wide).
Screenshots go to test-artifacts/screens/residentials-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_staff_keep_the_register(page: Page):
    sign_in(page, "staff@demo.test")
    check_page(page, None)
    nav = page.locator("header").get_by_role("navigation", name="Menu")
    click_and_wait(page, nav.get_by_role("link", name="Residentials"))
    check_page(page, "residentials-index-staff")
    click_and_wait(page, page.get_by_role("link", name="Cohort 2026-27"))
    check_page(page, "residentials-cohort")
    click_and_wait(page, page.get_by_role("link", name="View residential workshop 2"))
    check_page(page, "residentials-workshop-staff")
    expect(page.locator("#timetable ~ h3").first).to_contain_text("6 October 2026")
    click_and_wait(page, page.get_by_role("link", name="Register for Tuesday 6 October 2026"))
    check_page(page, "residentials-register")
    row = page.locator("tr", has=page.get_by_text("Present").first)
    expect(row.first).to_be_visible()

    # one person was not there after all: the correction takes the day out of the ledger
    first = page.locator("fieldset").first
    first.get_by_label("Absent").check()
    click_and_wait(page, page.get_by_role("button", name="Save register"))
    check_page(page, "residentials-register-saved")
    expect(page.locator(".nhsuk-notification-banner, .app-flash").first).to_contain_text(
        "1 mark changed"
    )
    page.locator("fieldset").first.get_by_label("Present").check()
    click_and_wait(page, page.get_by_role("button", name="Save register"))
    check_page(page, None)


def test_award_holder_replies_on_a_phone(page: Page):
    page.set_viewport_size(PHONE)
    sign_in(page, "holder@demo.test")
    check_page(page, None)
    page.goto("/residentials/")
    check_page(page, "residentials-index-holder")
    click_and_wait(page, page.get_by_role("link", name="Residential workshop 3"))
    check_page(page, "residentials-workshop-holder")
    expect(page.get_by_text("Presentation day")).to_be_visible()
    click_and_wait(page, page.get_by_role("button", name="Change your reply"))
    check_page(page, "residentials-reply")
    page.get_by_label("Dietary requirements (optional)").fill("Vegan")
    click_and_wait(page, page.get_by_role("button", name="Send reply"))
    check_page(page, None)
    expect(page.get_by_text("You replied that you will attend")).to_be_visible()
