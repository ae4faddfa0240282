"""Data protection in a real browser (issue 20), with axe on every page: anyone reads the
privacy notice from the footer; an award holder downloads a copy of her data from her
account page; programme staff find a person, download their copy and check what an
erasure would do (a wrong confirmation refused). The erasure itself is tested over HTTP
(tests/test_privacy.py): the demo server is shared, so nobody is erased here.
Screenshots go to test-artifacts/screens/privacy-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in, visit

pytestmark = pytest.mark.browser


def test_the_notice_from_the_footer_at_phone_width(page: Page):
    page.set_viewport_size({"width": 390, "height": 800})
    visit(page, "/", None)
    click_and_wait(page, page.locator("footer").get_by_role("link", name="Privacy"))
    check_page(page, "privacy-notice-390")
    expect(page.get_by_role("heading", name="Privacy notice")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Health, access, dietary and equality information")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("facilitators of that community")


def test_a_holder_downloads_her_own_data_from_her_account(page: Page):
    page.set_viewport_size({"width": 1200, "height": 900})
    sign_in(page, "holder@demo.test")
    check_page(page, None)
    visit(page, "/account/", "privacy-account")
    click_and_wait(page, page.get_by_role("link", name="Download a copy of everything"))
    check_page(page, "privacy-your-data")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download a copy of your data").click()
    assert download.value.suggested_filename.endswith(".zip")


def test_staff_find_a_person_and_check_what_erasure_would_do(page: Page):
    page.set_viewport_size({"width": 1200, "height": 900})
    sign_in(page, "staff@demo.test")
    check_page(page, None)
    visit(page, "/privacy/requests", "privacy-requests")
    click_and_wait(page, page.get_by_role("button", name="Count what the next purge would do"))
    check_page(page, "privacy-purge-counts")
    purge = page.locator(".nhsuk-summary-list")
    expect(purge).to_contain_text("Devices not used within the period")
    page.get_by_label("Name or email address").fill("holder@demo.test")
    click_and_wait(page, page.get_by_role("button", name="Search"))
    check_page(page, "privacy-search")
    click_and_wait(page, page.get_by_role("link", name="Priya Shah"))
    check_page(page, "privacy-person")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download a copy of their data").click()
    assert download.value.suggested_filename.endswith(".zip")
    click_and_wait(page, page.get_by_role("link", name="Check what erasure would do"))
    check_page(page, "privacy-erase-preview")
    expect(page.locator("table")).to_contain_text("Kept whole: legal hold")
    page.get_by_label("Type the person's email address to confirm").fill("not@her.test")
    click_and_wait(page, page.get_by_role("button", name="Erase their data"))
    check_page(page, "privacy-erase-refused")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("exactly as shown")
