"""A carer's home page and header (a member, no application), the communities calendar
page reached from the meetings page, the research-days calendar page with its shared
instructions, and the staff report's Excel link, with axe on each. Screenshots go to
test-artifacts/screens/cop-cal-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in, sign_out, visit

pytestmark = pytest.mark.browser


def test_carer_home_and_calendar_then_holder_and_staff(page: Page):
    sign_in(page, "carer@demo.test")
    check_page(page, "cop-cal-carer-home")
    menu = page.locator("header").get_by_role("navigation", name="Menu")
    expect(menu.get_by_role("link", name="Your applications")).to_have_count(0)
    expect(page.locator(".nhsuk-lede-text")).to_contain_text("member of a community")
    visit(page, "/communities/", None)
    click_and_wait(page, page.get_by_role("link", name="Complex needs", exact=True))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Meetings and training").first)
    check_page(page, "cop-cal-meetings")
    click_and_wait(page, page.get_by_role("link", name=re.compile("to your Outlook or Google")))
    check_page(page, "cop-cal-calendar")
    click_and_wait(page, page.get_by_role("button", name="Make a calendar address"))
    check_page(page, "cop-cal-calendar-new")
    address = page.get_by_label("Calendar address").input_value()
    assert re.search(r"/communities/calendar/[A-Za-z0-9_-]+\.ics$", address)
    sign_out(page)
    check_page(page, None)

    sign_in(page, "holder@demo.test")
    check_page(page, None)
    visit(page, "/communities/calendar", "cop-cal-holder")
    expect(page.get_by_role("link", name="research days calendar")).to_be_visible()
    visit(page, "/release/calendar", "cop-cal-release")
    sign_out(page)
    check_page(page, None)

    sign_in(page, "staff@demo.test")
    check_page(page, None)
    visit(page, "/communities/report", "cop-cal-report")
    expect(page.get_by_role("link", name="Download involvement payments as Excel")).to_be_visible()
