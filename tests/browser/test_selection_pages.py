"""PSW sign-off and staff selection pages in a real browser, with axe on every page.

Uses the demo programme: psw@demo.test's authority has applications waiting in 2027-28;
2023-24 holds the evaluation's second cohort. The PSW journey endorses one of them.
Screenshots go to test-artifacts/screens/<name>.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in

pytestmark = pytest.mark.browser


def nav(page: Page):
    return page.locator("header").get_by_role("navigation", name="Menu")


def test_psw_signs_off_an_application(page: Page):
    sign_in(page, "psw@demo.test")
    check_page(page, "psw-home-sign-offs")
    expect(
        page.get_by_text(re.compile(r"\d+ applications? waiting for your sign-off"))
    ).to_be_visible()

    click_and_wait(page, nav(page).get_by_role("link", name="Sign-offs"))
    check_page(page, "psw-sign-off-list")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-offs")
    waiting = page.locator("table").first.get_by_role("link")
    expect(waiting.first).to_be_visible()

    click_and_wait(page, waiting.first)
    check_page(page, "psw-sign-off")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign off")

    # nothing chosen
    click_and_wait(page, page.get_by_role("button", name="Send your decision"))
    check_page(page, "psw-sign-off-no-choice")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Select whether you endorse the application"
    )

    # the two statements, each its own checkbox; one alone is refused
    page.get_by_label("Endorse", exact=True).check()
    release = page.get_by_role("checkbox", name=re.compile(r"will be released"))
    expect(release).to_be_visible()
    release.check()
    click_and_wait(page, page.get_by_role("button", name="Send your decision"))
    check_page(page, "psw-sign-off-one-statement")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Confirm the question's strategic importance to endorse"
    )

    # declining needs a reason
    page.get_by_label("Do not endorse").check()
    click_and_wait(page, page.get_by_role("button", name="Send your decision"))
    check_page(page, "psw-sign-off-no-reason")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Give a reason")

    page.get_by_label("Endorse", exact=True).check()
    page.get_by_role("checkbox", name=re.compile(r"will be released")).check()
    page.get_by_role("checkbox", name=re.compile(r"research question is of strategic")).check()
    click_and_wait(page, page.get_by_role("button", name="Send your decision"))
    check_page(page, "psw-sign-off-done")
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("endorsed")
    expect(page.get_by_text("cannot be changed")).to_be_visible()
    expect(page.get_by_role("button", name="Send your decision")).to_have_count(0)


def test_staff_selection_pages(page: Page):
    sign_in(page, "staff@demo.test")
    check_page(page, "staff-home-selection")

    click_and_wait(page, nav(page).get_by_role("link", name="Selection"))
    check_page(page, "selection-cohorts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Selection")

    click_and_wait(page, page.get_by_role("link", name="2027-28"))
    check_page(page, "selection-cohort")
    expect(page.get_by_text(re.compile(r"\d+ of 12 places awarded"))).to_be_visible()

    page.get_by_label("Status").select_option("endorsed")
    click_and_wait(page, page.get_by_role("button", name="Filter"))
    check_page(page, "selection-cohort-filtered")
    click_and_wait(page, page.locator("thead").get_by_role("link", name=re.compile(r"^Applicant")))
    check_page(page, None)

    applications = page.get_by_role("table", name=re.compile(r"^Applications to"))
    row_link = applications.locator("tbody tr").first.get_by_role("link").first
    click_and_wait(page, row_link)
    check_page(page, "selection-application")
    expect(page.get_by_role("heading", name="PSW sign-off")).to_be_visible()

    # a review without a score, then a decline without a message: clear errors
    click_and_wait(page, page.get_by_role("button", name="Save your review"))
    check_page(page, "selection-review-error")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select a score from 1 to 5")
    if page.get_by_label("Decline").count():
        page.get_by_label("Decline").check()
        click_and_wait(page, page.get_by_role("button", name="Record decision"))
        check_page(page, "selection-decision-error")
        expect(page.locator(".nhsuk-error-summary")).to_contain_text(
            "Enter a message to the applicant"
        )
        # a decision that emails the applicant is asked again; Cancel changes nothing
        page.get_by_label("Put on the waiting list").check()
        click_and_wait(page, page.get_by_role("button", name="Record decision"))
        check_page(page, "selection-decision-confirm")
        expect(page.get_by_role("heading", level=1)).to_contain_text("on the waiting list?")
        expect(page.get_by_text("will be emailed")).to_be_visible()
        click_and_wait(page, page.get_by_role("button", name="Cancel"))
        check_page(page, None)
        expect(page.get_by_label("Put on the waiting list")).to_be_checked()

    page.get_by_label("4 – Good").check()
    page.get_by_label("Your notes").fill("A clear, answerable question.")
    click_and_wait(page, page.get_by_role("button", name="Save your review"))
    check_page(page, "selection-reviewed")
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("review")

    page.goto("/selection/")
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="2023-24"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Applicant profile report"))
    check_page(page, "selection-profile")
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Award holders: 11 people")

    csv = page.request.get(page.url.split("?")[0] + ".csv")
    assert csv.status == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert "Years since qualifying,Mean,7.0" in csv.text()
