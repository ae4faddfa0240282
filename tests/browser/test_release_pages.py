"""The release ledger in a real browser, with axe on every page: an award holder plans
study days on a laptop; their line manager approves on a phone (390px wide).

Demo data: holder@demo.test (manager@demo.test's staff) in the running cohort 2026-27,
which runs from 1 April 2026 to 31 March 2027. Screenshots go to
test-artifacts/screens/release-*.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    axe_violations,
    check_page,
    click_and_wait,
    format_violations,
    screenshot,
    sign_in,
    sign_out,
    visit,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def nav(page: Page):
    return page.locator("header").get_by_role("navigation", name="Menu")


def _design_system_reveal(violation: dict) -> bool:
    """nhsuk-frontend sets aria-expanded on a radio that reveals a follow-up question
    (the request form's three ways to plan). ARIA 1.2 allows it on checkboxes, not yet
    on radios, so axe reports it; the design systems keep it because screen readers
    announce it (alphagov/govuk-frontend#979). Only that exact finding is accepted."""
    return violation["id"] == "aria-allowed-attr" and all(
        'class="nhsuk-radios__input"' in n["html"]
        and "aria-controls=" in n["html"]
        and "aria-expanded" in (n.get("summary") or "")
        and (n.get("summary") or "").count("ARIA attribute is not allowed") == 1
        for n in violation["nodes"]
    )


def check_with_reveals(page: Page, name: str | None) -> None:
    """check_page for pages with conditionally revealed questions."""
    page.wait_for_load_state("load")
    if name:
        screenshot(page, name)
    violations = [v for v in axe_violations(page) if not _design_system_reveal(v)]
    page._prp_guard.mark_checked()  # type: ignore[attr-defined]
    assert not violations, format_violations(page.url, violations)


def fill_date(page: Page, field_id: str, day: int, month: int, year: int) -> None:
    page.locator(f"#{field_id}-day").fill(str(day))
    page.locator(f"#{field_id}-month").fill(str(month))
    page.locator(f"#{field_id}-year").fill(str(year))


def test_award_holder_plans_study_days(page: Page):
    sign_in(page, "holder@demo.test")
    check_page(page, "release-holder-home")
    expect(page.get_by_role("link", name="Your research days").first).to_be_visible()

    click_and_wait(page, nav(page).get_by_role("link", name="Your research days"))
    check_page(page, "release-ledger-holder")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your research days")
    expect(page.locator("#balances")).to_contain_text("Remaining")

    click_and_wait(page, page.get_by_role("button", name="Plan study days"))
    check_with_reveals(page, "release-request")

    # nothing chosen: the error summary links to the question
    click_and_wait(page, page.get_by_role("button", name="Request study days"))
    check_with_reveals(page, "release-request-no-choice")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select how you want to plan")

    # a range the wrong way round
    page.get_by_label("A range of dates").check()
    expect(page.locator("#start-day")).to_be_visible()
    fill_date(page, "start", 12, 2, 2027)
    fill_date(page, "end", 8, 2, 2027)
    click_and_wait(page, page.get_by_role("button", name="Request study days"))
    check_with_reveals(page, "release-request-reversed")
    expect(page.locator("#end-error")).to_contain_text("The last day must be the same as or after")

    # every Tuesday for two weeks, half days, with a note
    page.get_by_label("The same day each week").check()
    expect(page.locator("#pattern_start-day")).to_be_visible()
    fill_date(page, "pattern_start", 2, 2, 2027)
    page.get_by_label("For how many weeks?").fill("2")
    page.get_by_label("Half days").check()
    page.get_by_label("Note for your manager (optional)").fill("Writing up interviews")
    click_and_wait(page, page.get_by_role("button", name="Request study days"))
    check_page(page, "release-requested")
    banner = page.locator(".nhsuk-notification-banner--success")
    expect(banner).to_contain_text("You have asked for 1 day")
    expect(banner).to_contain_text("Tuesday 2 February 2027 (half day)")
    expect(banner).to_contain_text("Tuesday 9 February 2027 (half day)")


def request_one_day(page: Page, day: int, month: int, year: int) -> None:
    """As the award holder: ask for one study day, then sign out."""
    sign_in(page, "holder@demo.test")
    check_page(page, None)
    visit(page, "/release/", None)
    click_and_wait(page, page.get_by_role("button", name="Plan study days"))
    check_with_reveals(page, None)
    page.get_by_label("One day").check()
    fill_date(page, "day", day, month, year)
    click_and_wait(page, page.get_by_role("button", name="Request study days"))
    check_page(page, None)
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("asked for")
    sign_out(page)
    check_page(page, None)


def test_manager_approves_on_a_phone(page: Page):
    request_one_day(page, 10, 3, 2027)  # a Wednesday
    page.set_viewport_size(PHONE)
    sign_in(page, "manager@demo.test")
    check_page(page, "release-manager-home-phone")
    expect(page.get_by_text(re.compile(r"study days? waiting for your approval"))).to_be_visible()

    visit(page, "/release/approvals", "release-approvals-phone")
    expect(page.get_by_role("heading", level=1)).to_have_text("Study day approvals")
    boxes = page.locator("input[type=checkbox][name=days]")
    expect(boxes.first).to_be_visible()
    count = boxes.count()

    # declining needs a reason
    boxes.first.check()
    click_and_wait(page, page.get_by_role("button", name="Decline selected days"))
    check_page(page, "release-approvals-decline-no-reason-phone")
    expect(page.locator("#reason-error")).to_contain_text("Give a reason for declining")

    # approve one
    page.locator("input[type=checkbox][name=days]").first.check()
    click_and_wait(page, page.get_by_role("button", name="Approve selected days"))
    check_page(page, "release-approved-phone")
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("You approved")
    expect(page.locator("input[type=checkbox][name=days]")).to_have_count(count - 1)

    # a holder's ledger, read-only but for cancelling approved future days
    click_and_wait(page, page.locator("#team").get_by_role("link").first)
    check_page(page, "release-ledger-manager-phone")
    expect(page.get_by_role("link", name="Plan study days")).to_have_count(0)

    cancel = page.locator("#ledger").get_by_role("link", name=re.compile("^Cancel"))
    if cancel.count():
        click_and_wait(page, cancel.first)
        check_page(page, "release-cancel-manager-phone")
        click_and_wait(page, page.get_by_role("button", name="Cancel this day"))
        check_page(page, "release-cancel-no-reason-phone")
        expect(page.locator("#reason-error")).to_contain_text("Give a reason")

    visit(page, "/release/delegations", "release-delegations-phone")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delegate study day approvals")
