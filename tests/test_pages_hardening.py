"""What a person sees: pages that said the wrong thing, showed raw markup, or promised
what does not exist (the hardening issue, part 4)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.applications.models import AppStatus
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from app.release import oversight, services
from app.release.models import DayStatus, ReleaseDay
from tests.helpers import text
from tests.test_release_journey import (  # noqa: F401 (prog is a fixture)
    PROGRAMME,
    approved,
    booked,
    days_of,
    prog,
)
from tests.test_release_journey import TODAY as JOURNEY_TODAY
from tests.test_release_oversight import (
    TODAY,
    add_days,
    holder_award,
    running,
    table,
    weekdays,
)
from tests.test_selection import apply as sel_apply
from tests.test_selection import decide, status_of

# --- the award holder's ledger ------------------------------------------------------------


def test_days_to_confirm_are_shown_as_markup_not_escaped(prog, browser, app):  # noqa: F811
    approved(app, prog, date(2027, 1, 6))  # approved and passed: the holder confirms it
    browser.sign_in(prog.holder.email)
    page = browser.get(prog.ledger).get_data(as_text=True)
    assert "&lt;p&gt;" not in page and "&lt;strong&gt;" not in page
    assert "<p>You have <strong>1 day</strong> to confirm." in page


# --- a finished programme year ----------------------------------------------------------

OLD = {  # ended on 31 March 2025; the oversight tests' today is 1 October 2026
    "applications_open": date(2023, 11, 1),
    "applications_close": date(2024, 1, 31),
    "programme_start": date(2024, 4, 1),
    "programme_end": date(2025, 3, 31),
}


@pytest.fixture
def staff_browser(browser, make):
    browser.sign_in(make.user(Role.STAFF).email)
    return browser


@pytest.fixture
def frozen(app, monkeypatch):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)
    return TODAY


def test_after_the_year_nobody_is_behind_and_sql_agrees_on_the_days_never_recorded(
    app, make, frozen
):
    cohort = make.cohort(name="2024-25", **OLD)
    employer = make.org()
    nothing = holder_award(make, cohort, "Nora Nothing", employer)
    some = holder_award(make, cohort, "Sam Some", employer)
    add_days(app, some.id, weekdays(date(2024, 4, 8), 20), DayStatus.TAKEN)
    add_days(app, some.id, weekdays(date(2024, 6, 3), 3), DayStatus.CALLED_BACK)
    add_days(app, some.id, weekdays(date(2024, 7, 1), 2), DayStatus.REQUESTED)
    add_days(app, some.id, weekdays(date(2024, 8, 1), 1), DayStatus.DECLINED)
    with app.app_context():
        awards = {a.id: a for a in db.session.scalars(select(Award))}
        sums = services.balances_for(list(awards))
        for day, ended in ((OLD["programme_end"], False), (frozen, True)):
            c = db.session.get(Cohort, cohort.id)
            p_sql = oversight.pace_sql([c], day)
            rows = db.session.execute(
                p_sql.join(
                    select(Award.id, p_sql.behind, p_sql.at_risk, p_sql.ended, p_sql.unaccounted)
                )
            ).all()
            for award_id, behind, at_risk, is_ended, unaccounted in rows:
                p = services.pace(awards[award_id], day, sums[award_id])
                assert p.ended is ended and bool(is_ended) is ended
                assert (int(behind), bool(at_risk)) == (p.behind_tenths, p.at_risk)
                assert int(unaccounted) == p.unaccounted * 10
        # on its last day the year is still running: Nora is 36 days behind
        assert services.pace(awards[nothing.id], OLD["programme_end"], sums[nothing.id]).at_risk
        after = {a: services.pace(awards[a], frozen, sums[a]) for a in awards}
    assert not any(p.at_risk or p.behind for p in after.values())
    assert after[nothing.id].unaccounted == 36
    assert after[some.id].unaccounted == 13  # 36 - 20 taken - 3 called back


def test_finished_cohort_pages_say_the_year_ended_and_count_nobody_at_risk(
    app, make, frozen, browser
):
    employer = make.org("Westshire Council")
    old = make.cohort(name="2024-25", **OLD)
    past = holder_award(make, old, "Pat Past", employer)
    add_days(app, past.id, weekdays(date(2024, 4, 8), 30), DayStatus.TAKEN)
    holder_award(make, old, "Nora Nothing", employer)
    now = running(make)
    behind = holder_award(make, now, "Bob Behind", employer)
    staff = make.user(Role.STAFF)
    psw = make.user(Role.PSW, orgs=[employer])
    for who in (staff, psw):
        browser.sign_in(who.email)
        # the home card counts the running cohort only
        home = text(browser.get("/"))
        assert "1 award holder is behind with their research days" in home
        assert "Out of 1" in home
        resp = browser.get(f"/release/at-risk?cohort={old.id}")
        assert "Programme year ended on 31 March 2025 for 2024-25" in text(resp)
        assert [(r[0], r[-2], r[-1]) for r in table(resp, "at-risk")] == [
            ("Nora Nothing", "–", "Year ended 36 days unaccounted for"),
            ("Pat Past", "–", "Year ended 6 days unaccounted for"),
        ]
        risky = text(browser.get(f"/release/at-risk?cohort={old.id}&at_risk=1"))
        assert "Nora Nothing" not in risky and "Pat Past" not in risky
        resp = browser.get(f"/release/cohorts/{old.id}")
        assert "Programme year ended on 31 March 2025" in text(resp)
        assert [r[-1] for r in table(resp, "balances")] == [
            "Year ended 36 days unaccounted for",
            "Year ended 6 days unaccounted for",
        ]
        browser.sign_out()
    assert behind  # the running cohort's holder is the one behind

    browser.sign_in(staff.email)
    page = text(browser.get(f"/release/awards/{past.id}"))
    assert "Programme year ended on Monday 31 March 2025." in page
    assert "6 days of their 36 release days were never recorded" in page
    assert "behind" not in page


# --- the line manager's pages -------------------------------------------------------------


def _form_fields(html: str, form_id: str) -> dict:
    """The names and values a browser sends for the form with this id."""
    m = re.search(rf'<form[^>]*id="{form_id}"[^>]*>(.*?)</form>', html, re.S)
    assert m, f"no form {form_id}"
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', m[1]):
        data.setdefault(name, []).append(value)
    return data


def test_approve_all_of_one_persons_days_with_one_button(prog, make, browser, app):  # noqa: F811
    mine = booked(app, prog, date(2027, 1, 14), date(2027, 1, 21), date(2027, 1, 28))
    other = make.award(
        cohort=make.running_cohort(**PROGRAMME), employer=prog.employer, manager=prog.manager
    )
    with app.test_request_context():
        a = db.session.get(Award, other.id)
        theirs, _ = services.request_days(
            a,
            a.holder,
            [date(2027, 2, 3), date(2027, 2, 4)],
            half_day=False,
            note="",
            today=JOURNEY_TODAY,
        )
        theirs = [r.id for r in theirs]
        db.session.commit()
    browser.sign_in(prog.manager.email)
    page = text(browser.get("/release/approvals"))
    award_id = prog.award.id
    assert (
        f'form="approve-all-{award_id}" id="approve-all-{award_id}-button">'
        "Approve all 3 days for Priya Shah</button>"
    ) in page
    # its own form: the days on the page, approve, and a CSRF token (no JavaScript needed)
    sent = _form_fields(page, f"approve-all-{award_id}")
    assert sent["days"] == [str(i) for i in mine] and sent["action"] == ["approve"]
    assert sent["csrf_token"][0]
    done = text(browser.client.post("/release/approvals", data=sent, follow_redirects=True))
    assert "You approved 3 days for Priya Shah. They have been emailed." in done
    statuses = {r.id: r.status for r in days_of(app, award_id)}
    assert set(statuses.values()) == {DayStatus.APPROVED}
    with app.app_context():
        assert {db.session.get(ReleaseDay, i).status for i in theirs} == {DayStatus.REQUESTED}


def test_confirm_and_cancel_pages_write_the_status_in_the_sentence(prog, browser, app):  # noqa: F811
    [row_id] = approved(app, prog, date(2027, 1, 21))
    browser.sign_in(prog.holder.email)
    page = text(browser.get(f"/release/days/{row_id}/confirm"))
    assert "This day is approved. You can confirm it once the day has come." in " ".join(
        re.sub(r"<[^>]+>", " ", page).split()
    )
    page = text(browser.get(f"/release/days/{row_id}/cancel"))
    assert "This day is approved." in page and "Approved" not in page.split("<h1")[1]


def test_a_manager_calendar_page_is_about_their_team(prog, browser):  # noqa: F811
    browser.sign_in(prog.manager.email)
    assert "Add your team's research days to your calendar" in text(browser.get("/"))
    page = text(browser.get("/release/calendar"))
    assert "<h1>Your team's research days in your calendar</h1>" in page
    assert "<title>Your team's research days in your calendar" in page


# --- selection decisions that email the applicant -----------------------------------------


def _outbox(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OutboxMessage.id)))


@pytest.mark.parametrize(
    "outcome, message, question, final",
    [
        ("awarded", "", "Award a place to Ann Apply?", AppStatus.AWARDED),
        ("waitlisted", "", "Put Ann Apply on the waiting list?", AppStatus.WAITLISTED),
        ("declined", "Too broad.", "Decline Ann Apply's application?", AppStatus.DECLINED),
    ],
)
def test_a_decision_that_emails_is_asked_again_first(
    make, staff_browser, app, outcome, message, question, final
):
    a = sel_apply(make, make.cohort(), "Ann Apply")
    url = f"/selection/applications/{a.id}"
    before = _outbox(app)
    ask = decide(staff_browser, a, outcome, message, confirmed="")
    page = text(ask)
    assert ask.status_code == 200 and f"<h1>{question}</h1>" in page
    assert "Ann Apply will be emailed" in page
    assert 'value="yes">Confirm</button>' in page and 'value="no">Cancel</button>' in page
    assert status_of(app, a.id) == AppStatus.ENDORSED and _outbox(app) == before
    # Confirm sends exactly what the page carried
    carried = {
        "outcome": re.search(r'name="outcome" value="([^"]*)"', page)[1],
        "message": re.search(r'name="message" value="([^"]*)"', page)[1],
        "confirmed": "yes",
    }
    assert carried["outcome"] == outcome and carried["message"] == message
    done = staff_browser.post(f"{url}/decision", carried, token_from=url)
    assert done.status_code == 302
    assert status_of(app, a.id) == final and _outbox(app) == before + 1


def test_cancel_goes_back_to_the_form_as_it_was_and_changes_nothing(make, staff_browser, app):
    a = sel_apply(make, make.cohort(), "Ann Apply")
    before = _outbox(app)
    resp = decide(staff_browser, a, "declined", "Not this year", confirmed="no")
    page = text(resp)
    assert resp.status_code == 200 and "<h1>Ann Apply</h1>" in page
    assert re.search(r'value="declined"\s+checked', page) and "Not this year</textarea>" in page
    assert status_of(app, a.id) == AppStatus.ENDORSED and _outbox(app) == before


def test_shortlisting_emails_nobody_and_is_not_asked_again(make, staff_browser, app):
    a = sel_apply(make, make.cohort(), "Ann Apply")
    assert decide(staff_browser, a, "shortlisted", confirmed="").status_code == 302
    assert status_of(app, a.id) == AppStatus.SHORTLISTED


def test_a_decision_that_would_be_refused_is_not_asked_again(make, staff_browser, app):
    cohort = make.cohort(places=1)
    decide(staff_browser, sel_apply(make, cohort, "First One"), "awarded")
    late = sel_apply(make, cohort, "Late Two")
    resp = decide(staff_browser, late, "awarded", confirmed="")
    assert "All 1 places in" in text(resp) and "Award a place to" not in text(resp)


def test_decisions_keep_one_order_everywhere(make, staff_browser):
    cohort = make.cohort()
    a = sel_apply(make, cohort, "Ann Apply")
    order = ["Award a place", "Put on the waiting list", "Decline"]
    page = text(staff_browser.get(f"/selection/applications/{a.id}"))
    assert sorted(order, key=page.index) == order
    statuses = ["Awarded", "Waiting list", "Not successful"]
    for url in (f"/selection/cohorts/{cohort.id}", "/selection/"):
        page = text(staff_browser.get(url))
        assert sorted(statuses, key=page.index) == statuses, url


# --- home pages ---------------------------------------------------------------------------

# Features not built yet (spending, outputs and learning agreements came with issues 12-14;
# communities of practice with issue 19)
PROMISES = ("two-factor", "co-sign")


@pytest.mark.parametrize("role", list(Role))
def test_home_cards_are_links_and_promise_nothing_that_does_not_exist(role, make, browser):
    org = make.org()
    user = make.user(role, orgs=[org])
    browser.sign_in(user.email)
    page = browser.get("/").get_data(as_text=True)
    cards = re.findall(r'<div class="nhsuk-card[ "].*?</div>\s*</div>', page, re.S)
    assert cards  # at least "Your account"
    for card in cards:
        assert "nhsuk-card--clickable" in card and 'class="nhsuk-card__link"' in card, card
    words = text(browser.get("/")).lower()
    assert not [p for p in PROMISES if p in words], role
    assert 'id="role-intro"' in page  # supervisors, coaches, directors: issue 11


def test_privacy_notice_keeps_only_what_the_service_holds(app, browser):
    """The notice is generated from the personal-data map (issue 20): a category is named
    only when some column declares it."""
    from app.privacy.notice import groups

    page = text(browser.get("/privacy"))
    with app.app_context():
        held = {g.category for g in groups()}
    from app.privacy.declare import Category

    for category in Category:
        assert (category.label in page) == (category in held), category
    assert "one cookie" in page


# --- the PSW's sign-off list --------------------------------------------------------------


def test_waiting_for_sign_off_is_paged(app, make, browser):
    org = make.org()
    psw = make.user(Role.PSW, orgs=[org])
    cohort = make.cohort(places=50)
    per_page = app.config["PER_PAGE"]
    for i in range(per_page + 2):
        make.application(
            cohort,
            applicant=make.user(Role.APPLICANT, orgs=[org], name=f"Waiting {i:02d}"),
            employer=org,
            psw=psw,
            status="submitted",
        )
    browser.sign_in(psw.email)
    first = text(browser.get("/applications/sign-off"))
    assert first.count(": read and sign off") == per_page
    assert f"Showing 1 to {per_page} of {per_page + 2}" in first
    assert "waiting_page=2" in first
    second = text(browser.get("/applications/sign-off?waiting_page=2"))
    assert second.count(": read and sign off") == 2
    assert f"Showing {per_page + 1} to {per_page + 2} of {per_page + 2}" in second
    # a page past the end shows the last page
    assert (
        text(browser.get("/applications/sign-off?waiting_page=99")).count(": read and sign off")
        == 2
    )
