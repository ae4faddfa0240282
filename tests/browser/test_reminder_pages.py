"""Reminders in a real browser, with axe on every page (issue 15): programme staff follow
the Notifications link in the header (the unread count as a badge) to their reminders,
mark them read, choose a weekly digest, read every reminder on /reminders/ filtered by
kind, and open a cohort's settings; the notifications on a phone. Screenshots go to
test-artifacts/screens/reminders-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in, visit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1200, "height": 900}


def test_staff_read_their_notifications_and_everyones_reminders(page: Page):
    page.set_viewport_size(LAPTOP)
    sign_in(page, "staff@demo.test")
    check_page(page, "reminders-header-badge")
    link = page.locator(".nhsuk-header__account-link", has_text="Notifications")
    expect(link.locator(".app-count")).to_be_visible()
    click_and_wait(page, link)
    check_page(page, "reminders-notifications")
    expect(page.locator(".app-notifications")).to_contain_text("application")
    click_and_wait(page, page.get_by_role("button", name="Mark all as read"))
    check_page(page, None)
    expect(page.locator(".app-count")).to_have_count(0)
    click_and_wait(page, page.get_by_role("link", name="Choose how reminders reach you"))
    check_page(page, "reminders-preferences")
    page.get_by_label(re.compile("One email a week")).check()
    click_and_wait(page, page.get_by_role("button", name="Save choices"))
    check_page(page, None)
    expect(page.get_by_text("Your reminder choices are saved.")).to_be_visible()
    visit(page, "/reminders/", "reminders-staff-list")
    page.get_by_label("Reminder", exact=True).select_option("three_way")
    click_and_wait(page, page.get_by_role("button", name="Filter"))
    check_page(page, "reminders-staff-three-way")
    expect(page.locator("table")).to_contain_text("Three-way meeting")
    click_and_wait(page, page.locator("main a[href*='/reminders/cohorts/']").first)
    check_page(page, "reminders-cohort")
    expect(page.get_by_role("heading", name="Reminders for this cohort")).to_be_visible()
    page.set_viewport_size(PHONE)
    visit(page, "/reminders/notifications", "reminders-notifications-phone")


def test_staff_see_the_reminders_coming_up_from_the_list_and_a_persons_page(page: Page):
    page.set_viewport_size(LAPTOP)
    sign_in(page, "staff@demo.test")
    check_page(page, None)
    visit(page, "/reminders/", None)
    click_and_wait(page, page.get_by_role("link", name=re.compile("reminders coming up")))
    check_page(page, "reminders-coming-up")
    expect(page.get_by_role("heading", name="Reminders coming up")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Yes")
    page.get_by_label("Reminder", exact=True).select_option("output_due")
    click_and_wait(page, page.get_by_role("button", name="Filter"))
    check_page(page, "reminders-coming-up-outputs")
    expect(page.locator("table")).to_contain_text("Output due")
    click_and_wait(page, page.locator("main table a[href*='person=']").first)
    check_page(page, "reminders-coming-up-person")
    expect(page.get_by_label("Person (name or email)")).not_to_have_value("")
    page.set_viewport_size(PHONE)
    visit(page, "/reminders/coming-up", "reminders-coming-up-phone")
