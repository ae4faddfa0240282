"""Failed mail in a real browser, with axe on every page: programme staff see the demo's
refused invitation on their home page, follow it to the outbox and the message with the
server's answer, and are told it cannot be sent again without a mail server.
Screenshots go to test-artifacts/screens/outbox-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in

pytestmark = pytest.mark.browser


def test_staff_find_failed_mail_and_try_to_send_it_again(page: Page):
    page.set_viewport_size({"width": 1200, "height": 900})
    sign_in(page, "staff@demo.test")
    check_page(page, "outbox-home-card")
    click_and_wait(page, page.get_by_role("link", name="1 email could not be sent"))
    check_page(page, "outbox-failed-list")
    expect(page.get_by_role("cell", name="m.okafor@brent.gov.example", exact=True)).to_be_visible()
    expect(page.locator("table")).to_contain_text("Recipient address rejected")
    click_and_wait(page, page.get_by_role("link", name="You have been invited").first)
    check_page(page, "outbox-failed-message")
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text("User unknown")
    # the demo has no mail server: nothing can be sent, and no button says otherwise
    expect(page.get_by_text("No mail server is set up now")).to_be_visible()
    expect(page.get_by_role("button", name="Send it again")).to_have_count(0)
