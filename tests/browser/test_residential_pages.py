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
    click_and_wait(page, page.get_by_role("link", name="Residential workshops"))
    check_page(page, "residentials-index-staff")
    click_and_wait(page, page.get_by_role("link", name="Cohort 2026-27"))
    check_page(page, "residentials-cohort")
    click_and_wait(page, page.get_by_role("link", name="View residential workshop 2"))
    check_page(page, "residentials-workshop-staff")
    expect(page.locator("#timetable ~ h3").first).to_contain_text("6 October 2026")
    click_and_wait(page, page.get_by_role("button", name="Change the workshop"))
    check_page(page, "residentials-workshop-form")
    expect(page.get_by_label("Arrival time")).to_have_value("09:30")
    page.get_by_label("Departure time").fill("25:00")
    click_and_wait(page, page.get_by_role("button", name="Save workshop"))
    check_page(page, "residentials-workshop-form-error")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Departure time must be a time")
    page.get_by_label("Departure time").fill("16:00")
    click_and_wait(page, page.get_by_role("button", name="Save workshop"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("button", name="Add a session"))
    check_page(page, "residentials-session-form")
    page.get_by_label("Wednesday 7 October 2026").check()
    page.get_by_label("Start time").fill("13:00")
    page.get_by_label("End time").fill("14:00")
    page.get_by_label("Title").fill("Peer review of posters")
    page.get_by_label("Speaker (optional)").fill("Dr Ada Visitor")
    click_and_wait(page, page.get_by_role("button", name="Add session"))
    check_page(page, None)
    expect(page.get_by_text("Peer review of posters").first).to_be_visible()
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
    page.goto("/residentials/mine")
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


def test_staff_lists_qr_code_and_presentation_day(page: Page):
    """Programme staff: the cohort's attendance rates, a QR check-in on the register, the
    day's QR code, the venue's needs list and sign-in sheet (printable), and a finished
    cohort's presentation day with its replies and published running order."""
    sign_in(page, "staff@demo.test")
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Residential workshops"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Cohort 2026-27"))
    check_page(page, "residentials-cohort-rates")
    expect(page.locator("#rates")).to_be_visible()
    expect(page.get_by_text("The cohort attended")).to_be_visible()
    click_and_wait(page, page.get_by_role("link", name="View residential workshop 2"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Register for Tuesday 6 October 2026"))
    check_page(page, None)
    expect(page.get_by_text("Checked in by QR code")).to_be_visible()
    page.go_back()
    check_page(page, None)
    click_and_wait(
        page, page.get_by_role("link", name="QR code for checking in on Tuesday 6 October 2026")
    )
    check_page(page, "residentials-qr-code")
    expect(page.locator(".app-qr svg")).to_be_visible()
    page.go_back()
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Sign-in sheet"))
    check_page(page, "residentials-sign-in-sheet")
    page.emulate_media(media="print")
    expect(page.locator(".nhsuk-header")).to_be_hidden()
    page.screenshot(path="test-artifacts/screens/residentials-sign-in-sheet-print.png")
    page.emulate_media(media="screen")
    page.go_back()
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Dietary, access and accommodation needs"))
    check_page(page, "residentials-needs")
    expect(page.get_by_text("deleted from the system on")).to_be_visible()

    page.goto("/residentials/")
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Cohort 2023-24"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Invitations, replies and the programme"))
    check_page(page, "residentials-presentation-day")
    expect(page.locator("#replies")).to_contain_text("Attending")
    expect(page.get_by_text("Published to the invitees")).to_be_visible()
