"""The personal award in a real browser, with axe on every page: the running cohort's
award holder records spending on a phone (390px wide), adds a receipt and submits it;
programme staff approve it and mark it paid on a laptop. Screenshots go to
test-artifacts/screens/money-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.demo.money import pdf
from tests.browser.helpers import check_page, click_and_wait, sign_in, sign_out

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WHAT = "Poster tube and lamination"


def test_holder_records_and_submits_then_staff_approve_and_pay(page: Page):
    page.set_viewport_size(PHONE)
    sign_in(page, "holder@demo.test")
    check_page(page, None)
    page.goto("/money/")
    check_page(page, "money-award-holder")
    click_and_wait(page, page.get_by_role("button", name="Record spending"))
    check_page(page, "money-item-form")
    page.get_by_label("Printing").check()
    page.get_by_label("Description").fill(WHAT)
    page.get_by_label("Supplier (optional)").fill("Print Hub")
    page.get_by_label("Day").fill("12")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2027")
    page.get_by_label("Amount").fill("12.345")
    click_and_wait(page, page.get_by_role("button", name="Save as planned"))
    check_page(page, "money-item-form-error")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("whole pence")
    page.get_by_label("Amount").fill("£18.50")
    click_and_wait(page, page.get_by_role("button", name="Save as planned"))
    check_page(page, "money-item-planned")
    page.get_by_label("Add a receipt or invoice").set_input_files(
        {"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": pdf("Print Hub 18.50")}
    )
    click_and_wait(page, page.get_by_role("button", name="Add receipt"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("button", name="Submit for approval"))
    check_page(page, "money-item-submitted")
    expect(page.get_by_text("Waiting for approval").first).to_be_visible()
    sign_out(page)
    check_page(page, None)

    page.set_viewport_size({"width": 1200, "height": 900})
    sign_in(page, "staff@demo.test")
    check_page(page, None)
    page.goto("/money/queue")
    check_page(page, "money-queue")
    click_and_wait(page, page.get_by_role("link", name=WHAT))
    check_page(page, "money-item-staff")
    click_and_wait(page, page.get_by_role("button", name="Approve"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("button", name="Mark as paid"))
    check_page(page, "money-pay")
    page.get_by_label("Reimbursed to the award holder").check()
    page.get_by_label("Payment reference").fill("PO-2027-9001")
    click_and_wait(page, page.get_by_role("button", name="Mark as paid"))
    check_page(page, None)
    expect(page.get_by_text("PO-2027-9001")).to_be_visible()


def test_staff_set_the_second_approver_rule_on_a_phone(page: Page):
    page.set_viewport_size(PHONE)
    sign_in(page, "staff@demo.test")
    check_page(page, None)
    page.goto("/money/budget")
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="View budget for cohort 2026-27"))
    check_page(page, "money-budget")
    click_and_wait(page, page.get_by_role("link", name="Change the second approver rule"))
    check_page(page, "money-second-approver")
    page.get_by_label("Yes, items above an amount").check()
    page.get_by_label("Items above this amount need a second approver").fill("-5")
    click_and_wait(page, page.get_by_role("button", name="Save approval rule"))
    check_page(page, "money-second-approver-error")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("must be more than £0")
    page.get_by_label("Items above this amount need a second approver").fill("£300")
    click_and_wait(page, page.get_by_role("button", name="Save approval rule"))
    check_page(page, None)
    expect(page.get_by_text("Needed for items above £300.00")).to_be_visible()
