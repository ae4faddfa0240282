"""After the programme, in a real browser with axe on every page: an alumnus of the
first cohort reads their impact log (the evaluation's impacts), adds one on a phone (a
date before the award refused first) and records a next step and books a review; staff
read the impact report (bars and table), the bridging pipeline and the evaluation
results; the end-of-year survey results hide the small group. Screenshots go to
test-artifacts/screens/impact-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in, sign_out, visit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1200, "height": 900}


def test_alumnus_logs_impact_and_next_steps_staff_read_the_reports(page: Page):
    page.set_viewport_size(PHONE)
    sign_in(page, "holder2022-7@demo.test")
    check_page(page, None)
    visit(page, "/impact/", "impact-log")
    expect(page.get_by_text("Minister of Housing")).to_be_visible()
    click_and_wait(page, page.get_by_role("button", name="Add an impact"))
    check_page(page, "impact-add")
    page.get_by_label("Training delivered").check()
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2020")
    page.get_by_label("What changed?").fill("Ran a workshop on multiple exclusion for the region.")
    page.get_by_label("Regional").check()
    click_and_wait(page, page.get_by_role("button", name="Add to the log"))
    check_page(page, "impact-add-error")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("on or after your award")
    page.get_by_label("Year").fill("2025")
    click_and_wait(page, page.get_by_role("button", name="Add to the log"))
    check_page(page, None)
    expect(page.get_by_text("Ran a workshop on multiple exclusion")).to_be_visible()
    visit(page, "/bridging/", "impact-next-steps")
    visit(page, "/bridging/reviews", "impact-reviews")
    sign_out(page)
    check_page(page, None)

    page.set_viewport_size(LAPTOP)
    sign_in(page, "staff@demo.test")
    check_page(page, None)
    visit(page, "/impact/report", "impact-report")
    expect(page.get_by_role("table", name="By category")).to_be_visible()
    visit(page, "/bridging/", "impact-pipeline")
    visit(page, "/evaluation/", "impact-evaluation")
    click_and_wait(page, page.get_by_role("link", name="End of the programme year").first)
    check_page(page, "impact-evaluation-results")
    expect(page.get_by_text("Not shown").first).to_be_visible()
    visit(page, "/evaluation/compare", "impact-evaluation-compare")
    visit(page, "/evaluation/send", None)
