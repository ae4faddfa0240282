"""Communities of practice in a real browser with axe on every page (issue 19): a carer
with no employer reads the workspace on a phone, posts (script shown as text, a link
made safe), books a meeting with captions and votes; an applicant asks to join (refused
until they accept the ground rules) and the facilitator approves them and reads the
bookings; staff read the report. Screenshots go to test-artifacts/screens/cop-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, click_and_wait, sign_in, sign_out, visit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1200, "height": 900}


def _community_id(page: Page, name: str) -> str:
    visit(page, "/communities/", "cop-list")
    href = page.get_by_role("link", name=name, exact=True).get_attribute("href")
    return href.rstrip("/").rsplit("/", 1)[-1]


def test_carer_applicant_facilitator_and_staff(page: Page):
    page.set_viewport_size(PHONE)
    sign_in(page, "carer@demo.test")
    check_page(page, None)
    cid = _community_id(page, "Complex needs")
    visit(page, f"/communities/{cid}", "cop-community")
    visit(page, f"/communities/{cid}/workspace", "cop-workspace")
    page.get_by_role("radio", name="Thought").check()
    page.get_by_label("Title").fill("A carer's view")
    page.get_by_label("Message").fill("<script>alert(1)</script> See https://example.org/carers")
    click_and_wait(page, page.get_by_role("button", name="Post"))
    check_page(page, "cop-post")
    expect(page.get_by_text("<script>alert(1)</script>")).to_be_visible()
    link = page.get_by_role("link", name="https://example.org/carers")
    expect(link).to_have_attribute("rel", "nofollow noopener")
    visit(page, f"/communities/{cid}/meetings", "cop-meetings")
    click_and_wait(page, page.locator("a[href*='/communities/meetings/']").first)
    check_page(page, "cop-meeting")
    page.get_by_label("Live captions").check()
    click_and_wait(
        page, page.get_by_role("button", name=re.compile("Book a place|Save my booking"))
    )
    check_page(page, None)
    expect(page.get_by_text(re.compile("Your place is booked|Saved"))).to_be_visible()
    visit(page, f"/communities/{cid}/priorities", "cop-priorities")
    visit(page, f"/communities/{cid}/support", "cop-support")
    visit(page, f"/communities/{cid}/me", "cop-profile")
    sign_out(page)
    check_page(page, None)

    sign_in(page, "applicant@demo.test")
    check_page(page, None)
    visit(page, f"/communities/{cid}/workspace", None, status=404)
    visit(page, f"/communities/{cid}/join", "cop-join")
    page.get_by_label("Unpaid carer").check()
    click_and_wait(page, page.get_by_role("button", name="Ask to join"))
    check_page(page, "cop-join-error")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("accept the ground rules")
    page.get_by_label("I have read and accept the ground rules").check()
    click_and_wait(page, page.get_by_role("button", name="Ask to join"))
    check_page(page, None)
    expect(page.get_by_text("Thank you. A facilitator will look at your request")).to_be_visible()
    sign_out(page)
    check_page(page, None)

    page.set_viewport_size(LAPTOP)
    sign_in(page, "supervisor@demo.test")
    check_page(page, None)
    visit(page, f"/communities/{cid}/members", "cop-members")
    card = page.locator(".nhsuk-card", has_text="Alex Morgan")
    click_and_wait(page, card.get_by_role("button", name="Approve", exact=True))
    check_page(page, None)
    expect(page.get_by_text("Alex Morgan is now a member")).to_be_visible()
    visit(page, f"/communities/{cid}/meetings", None)
    click_and_wait(page, page.locator("a[href*='/communities/meetings/']").first)
    check_page(page, "cop-meeting-facilitator")
    expect(page.get_by_role("table", name="Bookings and accessibility requests")).to_contain_text(
        "Live captions"
    )
    sign_out(page)
    check_page(page, None)

    sign_in(page, "staff@demo.test")
    check_page(page, None)
    visit(page, "/communities/report", "cop-report")
    visit(page, f"/communities/{cid}/manage", "cop-manage")
    visit(page, "/communities/new", "cop-new")
