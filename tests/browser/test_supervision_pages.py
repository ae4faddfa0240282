"""Supervision and coaching in a real browser, with axe on every page (demo data): staff
replace an award holder's coach (the reason is asked for first); a supervisor on a phone
finds their award holders and logs a meeting; an assistant director sees their
organisation's award holders. Screenshots go to test-artifacts/screens/supervision-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_staff_replace_a_coach(page: Page):
    sign_in(page, "staff@demo.test")
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Supervisors and coaches"))
    check_page(page, "supervision-index-staff")
    click_and_wait(page, page.get_by_role("link", name="Cohort 2026-27", exact=True))
    check_page(page, "supervision-cohort")
    click_and_wait(page, page.get_by_role("link", name="Priya Shah"))
    check_page(page, "supervision-award-staff")
    expect(page.locator("#three-way")).to_contain_text("Done")
    click_and_wait(page, page.get_by_role("link", name="Change coach"))
    check_page(page, "supervision-allocate")
    page.locator(".nhsuk-radios__item", has_not_text="Chris Walker").locator("input").first.check()
    click_and_wait(page, page.get_by_role("button", name="Allocate"))
    check_page(page, "supervision-allocate-error")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why Chris Walker")
    page.get_by_label("Why are you making this change?").fill("Coach's caseload rebalanced")
    click_and_wait(page, page.get_by_role("button", name="Allocate"))
    check_page(page, None)
    expect(page.locator("#history")).to_contain_text("Replaced because: Coach's caseload")
    click_and_wait(page, page.get_by_role("link", name="Back"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="See this cohort's supervisors"))
    check_page(page, "supervision-pool")


def test_supervisor_logs_a_meeting_on_a_phone(page: Page):
    page.set_viewport_size(PHONE)
    sign_in(page, "supervisor@demo.test")
    check_page(page, "supervision-home-supervisor")
    click_and_wait(page, page.get_by_role("link", name="award holders you support"))
    check_page(page, "supervision-index-supervisor")
    expect(page.locator("#holders")).to_contain_text("Meeting 2")
    click_and_wait(page, page.get_by_role("button", name="Log a meeting"))
    check_page(page, "supervision-meeting-form")
    page.get_by_label("Supervision meeting").check()
    page.locator('input[name="award_ids"]').first.check()
    page.get_by_label("Length in minutes").fill("45")
    click_and_wait(page, page.get_by_role("button", name="Log meeting"))
    check_page(page, "supervision-meeting-form-error")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the date of the meeting")
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Short notes").fill("Planned the interviews")
    click_and_wait(page, page.get_by_role("button", name="Log meeting"))
    check_page(page, "supervision-meeting")
    expect(page.get_by_text("Planned the interviews")).to_be_visible()


def test_director_sees_their_organisations_award_holders(page: Page):
    page.set_viewport_size(PHONE)
    sign_in(page, "director@demo.test")
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="award holder you support"))
    check_page(page, "supervision-index-director")
    expect(page.locator("#holders")).to_contain_text("Priya Shah")
    expect(page.locator("#holders")).to_contain_text("On track")


def test_staff_read_the_contact_report_and_onboarding(page: Page):
    sign_in(page, "staff@demo.test")
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Supervisors and coaches"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Cohort 2026-27", exact=True))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Supervision and coaching contact report"))
    check_page(page, "supervision-contact-report")
    expect(page.get_by_text("1 award holder has had no supervision contact")).to_be_visible()
    click_and_wait(page, page.get_by_role("link", name="Show only them"))
    check_page(page, "supervision-contact-report-flagged")
    expect(page.locator("#contact tbody tr")).to_have_count(1)
    click_and_wait(page, page.get_by_role("link", name="Back to the cohort"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Onboarding checklist"))
    check_page(page, "supervision-onboarding-cohort")
    page.get_by_label("Show").select_option("handbook")
    click_and_wait(page, page.get_by_role("button", name="Filter"))
    check_page(page, None)
    expect(page.locator("#onboarding")).to_contain_text("Priya Shah")


def test_a_line_manager_acknowledges_the_handbook_on_a_phone(page: Page):
    page.set_viewport_size(PHONE)
    sign_in(page, "manager@demo.test")
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="award holder", exact=False).first)
    check_page(page, None)
    click_and_wait(page, page.locator("#holders").get_by_role("link", name="Priya Shah"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Onboarding checklist"))
    check_page(page, "supervision-onboarding-manager")
    row = page.locator("#checklist tr", has_text="handbook acknowledged")
    click_and_wait(page, row.get_by_role("button", name="Mark as done"))
    check_page(page, "supervision-onboarding-ticked")
    expect(
        page.locator(".nhsuk-notification-banner, .app-flash, [role=alert]").first
    ).to_be_visible()
    expect(page.locator("#checklist")).to_contain_text("Untick")
