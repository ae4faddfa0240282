"""Outputs in a real browser, with axe on every page: the running cohort's award holder
uploads a poster on a phone (a program renamed .pdf refused first) and submits it; the
supervisor sees their people's overdue outputs; programme staff accept it; the line
manager reads it; staff see the cohort at a glance and extend a due date; the holder
shares an output and a PSW in another authority finds it in the showcase. Screenshots go
to test-artifacts/screens/outputs-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.demo.money import pdf
from tests.browser.helpers import check_page, click_and_wait, sign_in, sign_out, visit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1200, "height": 900}


def test_holder_uploads_supervisor_accepts_staff_extend_and_the_showcase(page: Page):
    page.set_viewport_size(PHONE)
    sign_in(page, "holder@demo.test")
    check_page(page, None)
    visit(page, "/outputs/", "outputs-holder")
    expect(page.get_by_text("Overdue").first).to_be_visible()
    click_and_wait(page, page.get_by_role("link", name="Creative research poster"))
    check_page(page, "outputs-poster")
    upload = page.get_by_label("Upload a version")
    upload.set_input_files(
        {"name": "poster.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" * 20}
    )
    click_and_wait(page, page.get_by_role("button", name="Upload file"))
    check_page(page, "outputs-upload-error")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("must be a PDF")
    page.get_by_label("Upload a version").set_input_files(
        {"name": "poster-final.pdf", "mimeType": "application/pdf", "buffer": pdf("Poster")}
    )
    click_and_wait(page, page.get_by_role("button", name="Upload file"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("button", name="Submit version 2"))
    check_page(page, "outputs-submitted")
    poster = page.url
    sign_out(page)
    check_page(page, None)

    page.set_viewport_size(LAPTOP)
    sign_in(page, "supervisor@demo.test")
    check_page(page, None)
    visit(page, "/outputs/people", "outputs-supervisor")
    expect(page.get_by_text("Overdue").first).to_be_visible()
    sign_out(page)
    check_page(page, None)

    sign_in(page, "staff@demo.test")
    check_page(page, None)
    visit(page, poster, None)
    page.get_by_label("Accept this version").check()
    page.get_by_label("Comments").fill("A striking poster: ready for the presentation day.")
    click_and_wait(page, page.get_by_role("button", name="Send feedback"))
    check_page(page, "outputs-accepted")
    expect(page.get_by_text("The award holder has been emailed")).to_be_visible()
    sign_out(page)
    check_page(page, None)

    sign_in(page, "manager@demo.test")
    check_page(page, None)
    visit(page, poster, "outputs-line-manager")
    expect(page.get_by_role("button", name="Send feedback")).to_have_count(0)
    sign_out(page)
    check_page(page, None)

    sign_in(page, "staff@demo.test")
    check_page(page, None)
    visit(page, "/outputs/cohorts", "outputs-cohorts")
    click_and_wait(page, page.get_by_role("link", name="2026-27"))
    check_page(page, "outputs-cohort")
    visit(page, "/outputs/cohorts", None)
    click_and_wait(page, page.get_by_role("link", name="2023-24"))
    check_page(page, "outputs-cohort-finished")
    visit(page, "/outputs/cohorts", None)
    click_and_wait(page, page.get_by_role("link", name="2026-27"))
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Change the report due date and guidance"))
    check_page(page, "outputs-type")
    click_and_wait(page, page.get_by_role("link", name="Cohort 2026-27"))
    check_page(page, None)
    page.get_by_role("link", name="report").first.click()
    page.wait_for_load_state("load")
    check_page(page, None)
    click_and_wait(page, page.get_by_role("link", name="Change the due date"))
    check_page(page, None)
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Reason").fill("Illness")
    click_and_wait(page, page.get_by_role("button", name="Change the due date"))
    check_page(page, "outputs-extend-error")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("programme starts")
    page.get_by_label("Year").fill("2027")
    page.get_by_label("Month").fill("6")
    click_and_wait(page, page.get_by_role("button", name="Change the due date"))
    check_page(page, None)
    expect(page.get_by_text("Due date history")).to_be_visible()
    sign_out(page)
    check_page(page, None)

    page.set_viewport_size(PHONE)
    sign_in(page, "holder@demo.test")
    check_page(page, None)
    visit(page, poster, None)
    click_and_wait(page, page.get_by_role("link", name="Share in the showcase"))
    check_page(page, "outputs-consent")
    page.get_by_label("Yes, share it").check()
    page.get_by_label("Title in the showcase").fill("Carers and hospital discharge: a poster")
    page.get_by_label("Topic keywords (optional)").fill("carers, hospital discharge")
    click_and_wait(page, page.get_by_role("button", name="Save"))
    check_page(page, None)
    sign_out(page)
    check_page(page, None)

    sign_in(page, "psw@demo.test")
    check_page(page, None)
    visit(page, "/outputs/showcase", "outputs-showcase")
    page.get_by_label("Topic or title").fill("hospital discharge")
    click_and_wait(page, page.get_by_role("button", name="Search"))
    check_page(page, "outputs-showcase-search")
    click_and_wait(page, page.get_by_role("link", name="Carers and hospital discharge: a poster"))
    check_page(page, "outputs-showcase-entry")
    visit(page, "/outputs/showcase?q=multi-exclusion", None)
    click_and_wait(page, page.get_by_role("link", name="Homelessness and multi-exclusion").first)
    check_page(page, None)
