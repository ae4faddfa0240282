"""Registers and lists for programme staff: attendance rates per award holder and per
cohort, the dietary and access list (which says when it is cleared) and the sign-in sheet,
each printable (the print stylesheet leaves the menu off) and as CSV with safe cells."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import User
from app.awards.models import Award
from app.core.roles import Role
from app.extensions import db
from app.residentials import lists, services
from app.residentials.models import Mark, Registration, Workshop
from tests.helpers import text
from tests.test_residentials import _workshop_with_holders


def _marked(app, make, n=3):
    workshop_id, first, awards, staff = _workshop_with_holders(app, make, n)
    with app.app_context():
        w = db.session.get(Workshop, workshop_id)
        s = db.session.get(User, staff.id)
        a, b, c = (db.session.get(Award, x.id) for x in awards)
        second = first + timedelta(days=1)
        services.save_register(
            w, first, s, {a.id: Mark.PRESENT, b.id: Mark.PRESENT, c.id: Mark.APOLOGIES}, {}, second
        )
        services.save_register(w, second, s, {a.id: Mark.PRESENT, b.id: Mark.ABSENT}, {}, second)
        db.session.commit()
    return workshop_id, first, awards, staff


def test_rates_count_present_days_against_the_days_so_far(app, make):
    workshop_id, first, (a, b, c), _ = _marked(app, make)
    with app.app_context():
        w = db.session.get(Workshop, workshop_id)
        rates = lists.attendance_rates(w.cohort_id, [w], first + timedelta(days=1))
        by = {h.award.id: h for h in rates.holders}
        assert (by[a.id].present, by[a.id].rate) == (2, 100)
        assert (by[b.id].present, by[b.id].absent, by[b.id].rate) == (1, 1, 50)
        # c: apologies on day one and not marked on day two, which counts against the rate
        assert (by[c.id].apologies, by[c.id].unmarked, by[c.id].rate) == (1, 1, 0)
        assert (rates.present, rates.possible, rates.rate) == (3, 6, 50)
        # on the first day only the first day counts
        early = lists.attendance_rates(w.cohort_id, [w], first)
        assert (early.present, early.possible) == (2, 3)
        # before the workshop there is no rate yet
        assert lists.attendance_rates(w.cohort_id, [w], first - timedelta(days=1)).rate is None


def test_staff_see_the_rates_on_the_cohort_page_print_them_and_download_them(app, make, browser):
    workshop_id, first, (a, b, c), staff = _marked(app, make)
    with app.app_context():
        cohort_id = db.session.get(Workshop, workshop_id).cohort_id
        names = [db.session.get(User, x.holder_id).name for x in (a, b, c)]
    browser.sign_in(staff.email)
    resp = browser.get(f"/residentials/cohorts/{cohort_id}")
    assert "&lt;br&gt;" not in resp.get_data(as_text=True)  # the venue on its own line
    page = text(resp)
    assert "The cohort attended 3 of 6 award-holder days so far (50%)" in page
    assert all(n in page for n in names)
    printable = text(browser.get(f"/residentials/cohorts/{cohort_id}/attendance"))
    assert "residentials-print.css" in printable and "100%" in printable
    resp = browser.get(f"/residentials/cohorts/{cohort_id}/attendance.csv")
    assert resp.mimetype == "text/csv"
    rows = resp.get_data(as_text=True).splitlines()
    assert rows[0].startswith("Award holder,Email,Employer")
    assert len(rows) == 4


def test_the_print_stylesheet_leaves_the_menu_and_buttons_off_the_paper(app):
    css = app.static_folder + "/residentials-print.css"
    with open(css) as f:
        sheet = f.read()
    assert "@media print" in sheet
    for hidden in (".nhsuk-header", ".nhsuk-footer", ".nhsuk-button", ".app-no-print"):
        assert hidden in sheet.split("display: none")[0]


def test_the_needs_list_is_for_the_venue_and_says_when_it_is_cleared(app, make, browser):
    workshop_id, first, (a, b), staff = _workshop_with_holders(app, make)
    with app.app_context():
        db.session.add_all(
            [
                Registration(
                    workshop_id=workshop_id, award_id=a.id, attending=True, dietary="=1+1 vegan"
                ),
                Registration(
                    workshop_id=workshop_id, award_id=b.id, attending=False, access="A lift"
                ),
            ]
        )
        w = db.session.get(Workshop, workshop_id)
        cleared = lists.needs_cleared_on(w)
        assert cleared == w.ends_on + timedelta(days=31)
        db.session.commit()
    browser.sign_in(staff.email)
    page = text(browser.get(f"/residentials/workshops/{workshop_id}/needs"))
    assert "=1+1 vegan" in page and "A lift" not in page  # only those coming
    assert f"deleted from the system on {cleared.day} " in page
    body = browser.get(f"/residentials/workshops/{workshop_id}/needs.csv").get_data(as_text=True)
    assert "'=1+1 vegan" in body  # a spreadsheet does not read it as a formula
    assert "A lift" not in body

    holder = make.reload(User, a.holder_id)
    hb = type(browser)(app.test_client())
    hb.sign_in(holder.email)
    assert hb.get(f"/residentials/workshops/{workshop_id}/needs").status_code == 403


def test_the_sign_in_sheet_has_a_box_per_person_and_day(app, make, browser):
    workshop_id, first, (a, b), staff = _workshop_with_holders(app, make)
    browser.sign_in(staff.email)
    page = text(browser.get(f"/residentials/workshops/{workshop_id}/sign-in-sheet"))
    assert page.count('class="nhsuk-table__cell app-signature"') == 4
    rows = (
        browser.get(f"/residentials/workshops/{workshop_id}/sign-in-sheet.csv")
        .get_data(as_text=True)
        .splitlines()
    )
    assert rows[0].startswith("Award holder,Employer,Signature ")
    assert len(rows) == 3


def test_lists_for_a_workshop_that_does_not_exist_are_404(make, browser):
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    for url in ("needs", "needs.csv", "sign-in-sheet", "sign-in-sheet.csv"):
        assert browser.get(f"/residentials/workshops/99999/{url}").status_code == 404
    assert browser.get("/residentials/cohorts/99999/attendance.csv").status_code == 404
