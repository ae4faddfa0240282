"""Cohort pages in a real browser, with axe on every page: staff set up a cohort and a
session, the public page shows them, a PSW publishes a priority area.

The cohort is created here (a name the demo does not use), so the demo is untouched.
Screenshots go to test-artifacts/screens/<name>.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in, sign_out, visit

pytestmark = pytest.mark.browser

NAME = "2040-41"


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def fill_date(page: Page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_staff_set_up_a_cohort_and_a_psw_publishes_priorities(page: Page):
    sign_in(page, "staff@demo.test")
    check_page(page, "cohorts-staff-home")
    menu = page.locator("header").get_by_role("navigation", name="Menu")
    click_and_wait(page, menu.get_by_role("link", name="Cohorts", exact=True))
    check_page(page, "cohorts-manage")
    expect(h1(page)).to_have_text("Cohorts")

    # The form, first with mistakes.
    click_and_wait(page, page.get_by_role("button", name="Set up a cohort"))
    check_page(page, "cohort-new")
    expect(page.get_by_label("Personal award cap")).to_have_value("4000")
    page.get_by_label("Name", exact=True).fill(NAME)
    fill_date(page, "Programme start", "1", "", "2040")
    fill_date(page, "Programme end", "31", "8", "2041")
    fill_date(page, "Applications open", "31", "2", "2040")
    fill_date(page, "Applications close", "30", "4", "2040")
    page.get_by_label("Number of places").fill("-3")
    page.get_by_label("Personal award cap").fill("12.345")
    page.get_by_label("Backfill per award holder").fill("7500")
    click_and_wait(page, page.get_by_role("button", name="Save cohort"))
    check_page(page, "cohort-new-errors")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Programme start must include a month")
    expect(summary).to_contain_text("Applications open must be a real date")
    expect(summary).to_contain_text("Number of places must be 1 or more")
    expect(page).to_have_title(re.compile("^Error: "))

    # Put them right.
    fill_date(page, "Programme start", "1", "9", "2040")
    fill_date(page, "Applications open", "1", "3", "2040")
    page.get_by_label("Number of places").fill("12")
    page.get_by_label("Personal award cap").fill("4,000")
    page.get_by_label("Description (optional)").fill(
        "A year's release to research a question that matters to your employer."
    )
    click_and_wait(page, page.get_by_role("button", name="Save cohort"))
    check_page(page, "cohort-detail")
    expect(h1(page)).to_have_text(f"Cohort {NAME}")
    expect(page.locator("main")).to_contain_text("36 days: 6 residential and 30 study days")

    # A session during British Summer Time, entered in UK time.
    click_and_wait(page, page.get_by_role("button", name="Add a session"))
    check_page(page, "cohort-event-new")
    page.get_by_label("Online question and answer session").check()
    fill_date(page, "Date", "12", "3", "2040")
    page.get_by_label("Start time").fill("12:30")
    page.get_by_label("End time").fill("1:30pm")
    page.get_by_label("Joining details").fill(
        "Microsoft Teams: https://teams.example/meet/2040\nDial in: 020 7946 0000"
    )
    click_and_wait(page, page.get_by_role("button", name="Add session"))
    check_page(page, "cohort-detail-with-event")
    expect(page.locator("main")).to_contain_text("12 March 2040 at 12:30pm to 1:30pm")
    cohort_url = page.url
    cohort_id = cohort_url.rstrip("/").rsplit("/", 1)[1]

    click_and_wait(page, page.get_by_role("link", name="See the public page for this cohort"))
    check_page(page, "cohort-public-staff")
    sign_out(page)
    check_page(page, None)

    # The PSW publishes a priority area.
    sign_in(page, "psw@demo.test")
    check_page(page, "cohorts-psw-home")
    visit(page, f"/cohorts/{cohort_id}/priorities", "cohort-priorities")
    page.get_by_label("Priority area", exact=True).fill("Transitions to adult services")
    page.get_by_label("Why it matters to your authority (optional)").fill(
        "Young people with care and support needs fall between services at 18."
    )
    click_and_wait(page, page.get_by_role("button", name="Publish"))
    check_page(page, "cohort-priorities-published")
    expect(page.locator("main table")).to_contain_text("Transitions to adult services")
    sign_out(page)
    check_page(page, None)

    # Signed out: the public page and the list.
    visit(page, f"/cohorts/{cohort_id}", "cohort-public")
    main = page.locator("main")
    expect(h1(page)).to_have_text(f"Cohort {NAME}")
    expect(main).to_contain_text("Transitions to adult services")
    expect(main).to_contain_text("up to £4,000.00")
    expect(page.get_by_role("button", name="Create an account to apply")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in to apply")).to_be_visible()
    visit(page, "/cohorts/", "cohorts-public-list")

    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, f"/cohorts/{cohort_id}", "cohort-public-mobile")
