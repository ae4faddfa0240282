"""The at-risk view, a cohort's ledger and the calendar page, as people see them: demo
staff and the demo PSW, with axe-core on every page and screenshots in
test-artifacts/screens/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in

pytestmark = pytest.mark.browser


def table_names(page: Page) -> list[str]:
    return page.locator("#at-risk tbody tr td:first-child a").all_inner_texts()


def test_staff_see_who_is_behind_and_the_cohort_ledger(page: Page):
    sign_in(page, "staff@demo.test")
    check_page(page, "oversight-staff-home")
    expect(
        page.get_by_text(re.compile(r"award holders? (is|are) behind with their research"))
    ).to_be_visible()

    click_and_wait(page, page.locator("header").get_by_role("link", name="At risk"))
    check_page(page, "oversight-staff-at-risk")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Award holders behind with their research days"
    )
    names = table_names(page)
    assert len(names) >= 2
    # most behind first: the demo's called-back award holder leads, Priya is on track
    first = page.locator("#at-risk tbody tr").first
    expect(first.get_by_text("At risk")).to_be_visible()
    priya = page.locator("#at-risk tbody tr", has_text="Priya Shah")
    expect(priya.get_by_text("On track")).to_be_visible()

    # sort by name, then filter to those at risk
    click_and_wait(
        page, page.locator("#at-risk thead").get_by_role("link", name=re.compile(r"^Award holder"))
    )
    check_page(page, None)
    assert table_names(page) == sorted(names, key=str.lower)
    page.get_by_label("Only award holders at risk").check()
    click_and_wait(page, page.get_by_role("button", name="Filter"))
    check_page(page, "oversight-staff-at-risk-filtered")
    assert "Priya Shah" not in table_names(page)

    click_and_wait(page, page.get_by_role("link", name=re.compile(r"^Release ledger for 2026-27")))
    check_page(page, "oversight-staff-cohort-ledger")
    expect(page.locator("#balances tbody tr")).to_have_count(4)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the ledger (CSV)").click()
    assert download.value.suggested_filename == "release-ledger-2026-27.csv"

    click_and_wait(page, page.get_by_role("link", name="Record a residential day"))
    check_page(page, "oversight-staff-residential")
    click_and_wait(page, page.get_by_role("button", name="Record residential day"))
    check_page(page, "oversight-staff-residential-errors")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose the award holder")
    expect(page).to_have_title(re.compile(r"^Error: "))


def test_psw_sees_only_their_authority(page: Page):
    sign_in(page, "psw@demo.test")
    check_page(page, "oversight-psw-home")
    click_and_wait(page, page.locator("header").get_by_role("link", name="At risk"))
    check_page(page, "oversight-psw-at-risk")
    expect(page.get_by_text("Research days for your authority")).to_be_visible()
    names = table_names(page)
    assert names, "the demo PSW's authority has award holders in 2026-27"
    assert len(names) < 4  # not the whole cohort


def test_holder_makes_a_calendar_address(page: Page):
    sign_in(page, "holder@demo.test")
    check_page(page, None)
    page.goto("/release/calendar")
    check_page(page, "oversight-holder-calendar")
    click_and_wait(page, page.get_by_role("button", name="Make a calendar address"))
    check_page(page, "oversight-holder-calendar-made")
    address = page.get_by_label("Calendar address").input_value()
    assert re.fullmatch(r"https?://[^/]+/release/calendar/[A-Za-z0-9_-]+\.ics", address)
    # the address answers with the feed (tests/test_calendar.py reads it signed out)
    response = page.request.get(address)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in response.text()
