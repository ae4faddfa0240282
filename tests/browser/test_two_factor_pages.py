"""Two-factor sign-in through a real browser (issue 21): set it up from the QR page's
key, then sign in with a code computed from that key, as an authenticator app would.

Uses candidate9@demo.test, whom no other browser test signs in as (the live server is
shared by the whole session). Screenshots go to test-artifacts/screens/two-factor-*.png.
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in, sign_out, visit

pytestmark = pytest.mark.browser

EMAIL = "candidate9@demo.test"


def test_set_up_and_sign_in_with_a_code(page: Page):
    sign_in(page, EMAIL)
    check_page(page, None)
    visit(page, "/account/two-factor", "two-factor-off")
    click_and_wait(page, page.get_by_role("link", name="Set up two-factor sign-in"))
    check_page(page, "two-factor-set-up")
    expect(page.locator("svg").first).to_be_visible()
    secret = page.locator("#two-factor-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)

    # a wrong code: the error summary, nothing turned on
    page.get_by_label("Security code").fill("000000" if totp.now() != "000000" else "111111")
    click_and_wait(page, page.get_by_role("button", name="Turn on two-factor sign-in"))
    check_page(page, "two-factor-set-up-error")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("not correct")

    page.get_by_label("Security code").fill(totp.now())
    click_and_wait(page, page.get_by_role("button", name="Turn on two-factor sign-in"))
    check_page(page, "two-factor-recovery-codes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    click_and_wait(page, page.get_by_role("link", name=re.compile("I have saved my codes")))
    check_page(page, None)
    sign_out(page)
    check_page(page, None)

    sign_in(page, EMAIL)
    expect(page).to_have_url(re.compile(r"/account/two-factor/code$"))
    check_page(page, "two-factor-code")
    # the set-up code's time step is spent: the app's next code (one step of drift)
    page.get_by_label("Security code").fill(totp.at(time.time() + 30))
    click_and_wait(page, page.get_by_role("button", name="Continue"))
    check_page(page, None)
    expect(page).not_to_have_url(re.compile(r"/account/"))

    visit(page, "/account/sign-ins", "two-factor-recent-sign-ins")
    expect(page.locator("tbody tr").first).to_contain_text("authenticator code")
    visit(page, "/account/two-factor", "two-factor-on")
    expect(page.locator("main")).to_contain_text("10 of 10")

    # usable at 390 px: nothing wider than the screen
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (
        ("/account/sign-ins", "two-factor-recent-sign-ins-390"),
        ("/account/two-factor", "two-factor-on-390"),
    ):
        visit(page, path, name)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
