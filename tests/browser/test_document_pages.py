"""Documents in a real browser, with axe on every page: the assistant director signs
holder@demo.test's learning agreement on a phone (390px wide; a missing name is refused
first); programme staff check the signature's verification reference, and read the
cohort's documents, agreements, acknowledgements and a handbook section; a line manager
opens the managers' handbook. Screenshots go to test-artifacts/screens/documents-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in, sign_out

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_director_signs_on_a_phone_and_staff_verify_the_reference(page: Page):
    page.set_viewport_size(PHONE)
    sign_in(page, "director@demo.test")
    check_page(page, None)
    page.goto("/documents/")
    check_page(page, "documents-index-director")
    click_and_wait(
        page, page.get_by_role("link", name=re.compile("learning agreement of Priya Shah"))
    )
    check_page(page, "documents-agreement-director")
    expect(page.locator("#agreement-content")).to_contain_text("Martin Hughes")
    click_and_wait(page, page.get_by_role("button", name="Sign the agreement"))
    check_page(page, "documents-agreement-sign-error")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Confirm you have read")
    page.get_by_label("I have read this version").check()
    page.get_by_label("Type your full name to sign").fill("Martin Hughes")
    click_and_wait(page, page.get_by_role("button", name="Sign the agreement"))
    check_page(page, "documents-agreement-signed")
    banner = page.locator(".nhsuk-notification-banner").inner_text()
    reference = re.search(r"LA-[A-Z0-9]{10}", banner).group(0)
    expect(page.locator("#signatures")).to_contain_text("Assistant director")
    expect(page.get_by_text("Signed", exact=True).first).to_be_visible()
    sign_out(page)
    check_page(page, None)

    page.set_viewport_size({"width": 1200, "height": 900})
    sign_in(page, "staff@demo.test")
    check_page(page, None)
    page.goto("/documents/")
    check_page(page, "documents-index-staff")
    click_and_wait(
        page, page.get_by_role("link", name="Check a signature's verification reference")
    )
    check_page(page, None)
    page.get_by_label("Verification reference").fill(reference)
    click_and_wait(page, page.get_by_role("button", name="Check"))
    check_page(page, "documents-verify")
    expect(page.locator("#result")).to_have_text("Valid signature")
    page.goto("/documents/")
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Documents for cohort 2026-27"))
    check_page(page, "documents-cohort")
    click_and_wait(page, page.get_by_role("link", name="Learning agreements and signatures"))
    check_page(page, "documents-agreements")
    page.go_back()
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Who has read the managers' handbook"))
    check_page(page, "documents-acknowledgements")
    page.go_back()
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Change Welcome").first)
    check_page(page, "documents-section-form")
    sign_out(page)
    check_page(page, None)

    page.set_viewport_size(PHONE)
    sign_in(page, "manager@demo.test")
    check_page(page, None)
    page.goto("/documents/")
    check_page(page, "documents-index-manager")
    click_and_wait(
        page, page.get_by_role("link", name=re.compile("Managers' handbook for cohort 2026-27"))
    )
    check_page(page, "documents-handbook-manager")
