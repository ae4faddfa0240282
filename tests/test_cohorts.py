"""Cohorts through HTTP: staff set-up and its rules, recruitment sessions in UK time,
the public cohort page, PSW priority areas, home cards and audit entries."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.cohorts.models import Cohort, EventKind, PriorityArea, RecruitmentEvent
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.extensions import db
from tests.helpers import text

# --- helpers ------------------------------------------------------------------------


def date_parts(name: str, d: date | None = None, day="", month="", year="") -> dict:
    if d is not None:
        day, month, year = str(d.day), str(d.month), str(d.year)
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def cohort_form(**overrides) -> dict:
    data = {
        "name": "2026-27",
        "description": "Our fourth cohort.",
        **date_parts("programme_start", date(2026, 9, 1)),
        **date_parts("programme_end", date(2027, 8, 31)),
        **date_parts("applications_open", date(2026, 3, 1)),
        **date_parts("applications_close", date(2026, 4, 30)),
        "places": "12",
        "personal_award_cap_pence": "4000",
        "residential_days": "6",
        "study_days": "30",
        "backfill_pence": "7500",
    }
    data.update(overrides)
    return data


def field_error(html: str, field_id: str) -> str:
    """The text of the NHS.UK error message shown against one field ('' if none)."""
    m = re.search(
        rf'<span class="nhsuk-error-message" id="{re.escape(field_id)}-error">\s*'
        r'<span class="nhsuk-u-visually-hidden">Error: </span>(.*?)</span>',
        html,
        re.S,
    )
    if not m:
        return ""
    return html_lib.unescape(m.group(1)).strip()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def audit_actions(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        for r in rows:
            db.session.expunge(r)
        return rows


def get_cohort(app, name="2026-27") -> Cohort:
    with app.app_context():
        c = db.session.scalar(select(Cohort).where(Cohort.name == name))
        assert c is not None
        db.session.expunge(c)
        return c


@pytest.fixture
def staff(make, browser):
    user = make.user(Role.STAFF)
    browser.sign_in(user.email)
    return user


@pytest.fixture
def frozen(app, monkeypatch):
    def freeze(d: date):
        monkeypatch.setitem(app.config, "FROZEN_TODAY", d)

    return freeze


# --- creating and editing a cohort ----------------------------------------------------


def test_new_cohort_form_offers_the_defaults_in_pounds_and_days(browser, staff):
    html = browser.get("/cohorts/manage/new").get_data(as_text=True)
    assert re.search(r'name="personal_award_cap_pence"[^>]*value="4000"', html)
    assert re.search(r'name="residential_days"[^>]*value="6"', html)
    assert re.search(r'name="study_days"[^>]*value="30"', html)
    assert "Total release: <strong>36 days</strong>" in html
    assert 'name="programme_start-day"' in html  # the NHS.UK date input, three boxes


def test_staff_create_a_cohort_with_the_default_rules(app, browser, staff):
    resp = browser.post("/cohorts/manage/new", cohort_form())
    assert resp.status_code == 302, text(resp)[:3000]
    cohort = get_cohort(app)
    assert resp.headers["Location"].endswith(f"/cohorts/manage/{cohort.id}")
    assert cohort.personal_award_cap_pence == 400_000
    assert (cohort.residential_days, cohort.study_days) == (6, 30)
    assert cohort.release_days == 36
    assert cohort.backfill_pence == 750_000
    assert cohort.places == 12
    assert cohort.programme_start == date(2026, 9, 1)
    assert cohort.applications_close == date(2026, 4, 30)
    [entry] = audit_actions(app, "cohort.created")
    assert entry.actor_id == staff.id and entry.object_id == cohort.id

    page = text(browser.get(resp.headers["Location"]))
    assert "Cohort 2026-27 has been set up." in page
    assert "£4,000.00" in page and "£7,500.00" in page
    assert "36 days: 6 residential and 30 study days" in page


def test_money_is_entered_in_pounds_and_stored_as_exact_pence(app, browser, staff):
    resp = browser.post(
        "/cohorts/manage/new",
        cohort_form(personal_award_cap_pence="£3,500.50", backfill_pence="0.10"),
    )
    assert resp.status_code == 302
    cohort = get_cohort(app)
    assert cohort.personal_award_cap_pence == 350_050
    assert cohort.backfill_pence == 10


def test_staff_edit_a_cohort(app, browser, staff, make):
    cohort = make.cohort(
        name="2026-27",
        personal_award_cap_pence=350_050,
        applications_open=date(2026, 3, 1),
        applications_close=date(2026, 4, 30),
        programme_start=date(2026, 9, 1),
        programme_end=date(2027, 8, 31),
    )
    html = browser.get(f"/cohorts/manage/{cohort.id}/edit").get_data(as_text=True)
    assert 'value="3500.50"' in html  # shown back in pounds
    assert re.search(r'name="programme_start-month"[^>]*value="9"', html)

    resp = browser.post(
        f"/cohorts/manage/{cohort.id}/edit",
        cohort_form(name="2026-27", places="15", study_days="28", personal_award_cap_pence="4500"),
    )
    assert resp.status_code == 302, text(resp)[:3000]
    changed = get_cohort(app)
    assert (changed.places, changed.study_days, changed.release_days) == (15, 28, 34)
    assert changed.personal_award_cap_pence == 450_000
    [entry] = audit_actions(app, "cohort.updated")
    assert entry.changes["places"] == [10, 15]
    assert entry.changes["personal_award_cap_pence"] == [350_050, 450_000]


# Each row: what is typed, the field it is shown against, the message. Each one fails
# without its rule; nothing is saved.
BAD_COHORTS = [
    # the NHS.UK date input, part by part
    (
        date_parts("programme_start", day="1", year="2026"),
        "programme_start",
        "Programme start must include a month",
    ),
    (
        date_parts("programme_start", month="9"),
        "programme_start",
        "Programme start must include a day and year",
    ),
    (date_parts("programme_end"), "programme_end", "Enter the programme end date"),
    (
        date_parts("applications_open", day="31", month="2", year="2026"),
        "applications_open",
        "Applications open must be a real date",
    ),
    (
        date_parts("applications_open", day="1", month="13", year="2026"),
        "applications_open",
        "Applications open must be a real date",
    ),
    (
        date_parts("applications_open", day="first", month="3", year="2026"),
        "applications_open",
        "Applications open must be a real date",
    ),
    (
        date_parts("applications_close", day="30", month="4", year="26"),
        "applications_close",
        "Applications close year must include 4 numbers",
    ),
    (
        date_parts("programme_end", day="1", month="1", year="9999"),
        "programme_end",
        "Programme end must be between 2000 and 2100",
    ),
    # order: the service's rules, shown against the field it names
    (
        date_parts("programme_end", date(2026, 8, 1)),
        "programme_end",
        "The programme must end after it starts",
    ),
    (
        date_parts("applications_close", date(2026, 2, 1)),
        "applications_close",
        "Applications must close on or after the day they open",
    ),
    (
        date_parts("applications_close", date(2026, 9, 1)),
        "applications_close",
        "Applications must close before the programme starts",
    ),
    # numbers
    ({"places": "-3"}, "places", "Number of places must be 1 or more"),
    ({"places": "0"}, "places", "Number of places must be 1 or more"),
    ({"places": "100000000000"}, "places", "Number of places must be 500 or fewer"),
    ({"places": "twelve"}, "places", "Number of places must be a whole number, like 12"),
    ({"places": "12.5"}, "places", "Number of places must be a whole number, like 12"),
    ({"places": ""}, "places", "Enter the number of places"),
    ({"residential_days": "-1"}, "residential_days", "Residential workshop days must be 0 or more"),
    ({"study_days": "366"}, "study_days", "Study days must be 200 or fewer"),
    # money
    (
        {"personal_award_cap_pence": "12.345"},
        "personal_award_cap_pence",
        "Personal award cap must be an amount in pounds, like 4000 or 4000.50",
    ),
    (
        {"personal_award_cap_pence": "abc"},
        "personal_award_cap_pence",
        "Personal award cap must be an amount in pounds, like 4000 or 4000.50",
    ),
    (
        {"personal_award_cap_pence": "-1"},
        "personal_award_cap_pence",
        "Personal award cap must be £0 or more",
    ),
    ({"personal_award_cap_pence": ""}, "personal_award_cap_pence", "Enter the personal award cap"),
    (
        {"personal_award_cap_pence": "99999999"},
        "personal_award_cap_pence",
        "Personal award cap must be £100,000.00 or less",
    ),
    ({"backfill_pence": "-250"}, "backfill_pence", "Backfill per award holder must be £0 or more"),
    (
        {"backfill_pence": "1e5"},
        "backfill_pence",
        "Backfill per award holder must be an amount in pounds, like 4000 or 4000.50",
    ),
    # text
    ({"name": "   "}, "name", "Enter a name for the cohort"),
    ({"name": "x" * 61}, "name", "Name must be 60 characters or fewer"),
    ({"description": "x" * 3001}, "description", "Description must be 3000 characters or fewer"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_COHORTS)
def test_bad_cohort_input_is_shown_against_its_field(
    app, browser, staff, overrides, field, message
):
    resp = browser.post("/cohorts/manage/new", cohort_form(**overrides))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert field_error(html, field) == message
    assert "There is a problem" in html
    assert "<title>Error: " in html
    assert count(app, Cohort) == 0
    assert audit_actions(app, "cohort.created") == []


def test_error_summary_links_to_the_date_box_in_error(browser, staff):
    html = browser.post(
        "/cohorts/manage/new", cohort_form(**date_parts("programme_start", day="1", year="2026"))
    ).get_data(as_text=True)
    assert 'href="#programme_start-month"' in html
    # only the month box is highlighted; what was typed is shown back
    assert re.search(r'class="[^"]*nhsuk-input--error[^"]*" id="programme_start-month"', html)
    assert not re.search(r'class="[^"]*nhsuk-input--error[^"]*" id="programme_start-day"', html)
    assert re.search(r'id="programme_start-year"[^>]*value="2026"', html)


def test_duplicate_cohort_names_are_refused_ignoring_case_and_spaces(app, browser, staff, make):
    make.cohort(name="2026-27")
    resp = browser.post("/cohorts/manage/new", cohort_form(name="  2026-27 "))
    assert field_error(resp.get_data(as_text=True), "name") == (
        "A cohort with this name already exists"
    )
    assert count(app, Cohort) == 1


def test_editing_cannot_take_another_cohorts_name(app, browser, staff, make):
    make.cohort(name="2025-26")
    mine = make.cohort(name="2026-27")
    resp = browser.post(f"/cohorts/manage/{mine.id}/edit", cohort_form(name="2025-26"))
    assert field_error(resp.get_data(as_text=True), "name") == (
        "A cohort with this name already exists"
    )
    assert get_cohort(app, "2026-27").id == mine.id
    assert audit_actions(app, "cohort.updated") == []


def test_editing_dates_out_of_order_changes_nothing(app, browser, staff, make):
    cohort = make.cohort(name="2026-27")
    before = get_cohort(app)
    resp = browser.post(
        f"/cohorts/manage/{cohort.id}/edit",
        cohort_form(**date_parts("programme_end", date(2020, 1, 1))),
    )
    assert field_error(resp.get_data(as_text=True), "programme_end") == (
        "The programme must end after it starts"
    )
    after = get_cohort(app)
    assert (after.programme_end, after.places) == (before.programme_end, before.places)


def test_a_form_without_its_csrf_token_saves_nothing(app, browser, staff):
    resp = browser.client.post("/cohorts/manage/new", data=cohort_form())
    assert resp.status_code == 400
    assert count(app, Cohort) == 0


def test_unknown_ids_answer_404(browser, staff, make):
    cohort = make.cohort()
    for url in (
        "/cohorts/999999",
        "/cohorts/manage/999999",
        "/cohorts/manage/999999/edit",
        "/cohorts/manage/999999/events/new",
        "/cohorts/abc",
    ):
        assert browser.get(url).status_code == 404, url
    resp = browser.post(
        f"/cohorts/manage/{cohort.id}/events/999999/remove", token_from="/cohorts/manage"
    )
    assert resp.status_code == 404


# --- recruitment sessions in UK time ------------------------------------------------


def event_form(d: date, start="14:00", end="15:30", **over) -> dict:
    data = {
        "kind": "qa_session",
        **date_parts("day", d),
        "start_time": start,
        "end_time": end,
        "joining_details": "Teams: https://teams.example/meet/123\nDial in: 020 7946 0000",
    }
    data.update(over)
    return data


def events(app) -> list[RecruitmentEvent]:
    with app.app_context():
        rows = db.session.scalars(select(RecruitmentEvent).order_by(RecruitmentEvent.id)).all()
        for r in rows:
            db.session.expunge(r)
        return rows


@pytest.mark.parametrize(
    ("day", "start", "end", "utc_start", "utc_end", "shown"),
    [
        # British Summer Time: UK time is UTC+1
        (
            date(2030, 6, 10),
            "14:00",
            "3:30pm",
            datetime(2030, 6, 10, 13, 0),
            datetime(2030, 6, 10, 14, 30),
            "10 June 2030 at 2:00pm to 3:30pm",
        ),
        # winter: UK time is UTC
        (
            date(2030, 1, 15),
            "2pm",
            "15.30",
            datetime(2030, 1, 15, 14, 0),
            datetime(2030, 1, 15, 15, 30),
            "15 January 2030 at 2:00pm to 3:30pm",
        ),
        # the evening before the clocks go back, still summer time
        (
            date(2030, 10, 26),
            "23:00",
            "23:45",
            datetime(2030, 10, 26, 22, 0),
            datetime(2030, 10, 26, 22, 45),
            "26 October 2030 at 11:00pm to 11:45pm",
        ),
    ],
)
def test_sessions_are_entered_and_shown_in_uk_time_and_stored_in_utc(
    app, browser, staff, make, frozen, day, start, end, utc_start, utc_end, shown
):
    frozen(date(2030, 1, 1))
    cohort = make.cohort(name="2030-31")
    resp = browser.post(f"/cohorts/manage/{cohort.id}/events/new", event_form(day, start, end))
    assert resp.status_code == 302, text(resp)[:3000]
    [event] = events(app)
    assert (event.starts_at, event.ends_at) == (utc_start, utc_end)
    assert event.kind == EventKind.QA_SESSION
    [entry] = audit_actions(app, "cohort.event_added")
    assert entry.object_id == event.id and entry.actor_id == staff.id

    assert shown in text(browser.get(f"/cohorts/manage/{cohort.id}"))
    public = text(browser.get(f"/cohorts/{cohort.id}"))
    assert shown in public
    assert "Dial in: 020 7946 0000" in public


BAD_EVENTS = [
    ({"start_time": "25:00"}, "start_time", "Enter the start time as a time, like 14:30 or 2:30pm"),
    ({"start_time": "14"}, "start_time", "Enter the start time as a time, like 14:30 or 2:30pm"),
    ({"end_time": "13pm"}, "end_time", "Enter the end time as a time, like 14:30 or 2:30pm"),
    ({"end_time": ""}, "end_time", "Enter the end time"),
    (
        {"start_time": "16:00", "end_time": "15:00"},
        "end_time",
        "The event must end after it starts",
    ),
    ({"start_time": "14:00", "end_time": "2pm"}, "end_time", "The event must end after it starts"),
    (date_parts("day", day="31", month="4", year="2030"), "day", "Date must be a real date"),
    (date_parts("day"), "day", "Enter the date of the session"),
    # 01:30 on 31 March 2030 does not exist in the UK: the clocks go from 01:00 to 02:00
    (
        {**date_parts("day", date(2030, 3, 31)), "start_time": "1:30am", "end_time": "3am"},
        "start_time",
        "That time does not exist in the UK: the clocks go forward that night",
    ),
    ({"kind": "party"}, "kind", None),
    ({"kind": ""}, "kind", "Select the type of session"),
    ({"joining_details": ""}, "joining_details", "Enter how people join the session"),
    (
        {"joining_details": "x" * 2001},
        "joining_details",
        "Joining details must be 2000 characters or fewer",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_EVENTS)
def test_bad_sessions_are_refused_against_the_field(
    app, browser, staff, make, overrides, field, message
):
    cohort = make.cohort()
    resp = browser.post(
        f"/cohorts/manage/{cohort.id}/events/new", event_form(date(2030, 6, 10), **overrides)
    )
    assert resp.status_code == 200
    shown = field_error(resp.get_data(as_text=True), field)
    assert shown == message if message else shown
    assert events(app) == []


def test_staff_remove_a_session(app, browser, staff, make):
    cohort = make.cohort()
    browser.post(f"/cohorts/manage/{cohort.id}/events/new", event_form(date(2030, 6, 10)))
    [event] = events(app)
    resp = browser.post(
        f"/cohorts/manage/{cohort.id}/events/{event.id}/remove",
        token_from=f"/cohorts/manage/{cohort.id}",
    )
    assert resp.status_code == 302
    assert events(app) == []
    [entry] = audit_actions(app, "cohort.event_removed")
    assert entry.object_id == event.id


def test_a_session_cannot_be_removed_through_another_cohort(app, browser, staff, make):
    one, other = make.cohort(), make.cohort()
    browser.post(f"/cohorts/manage/{one.id}/events/new", event_form(date(2030, 6, 10)))
    [event] = events(app)
    resp = browser.post(
        f"/cohorts/manage/{other.id}/events/{event.id}/remove", token_from="/cohorts/manage"
    )
    assert resp.status_code == 404
    assert len(events(app)) == 1


# --- the public cohort page -----------------------------------------------------------

WINDOW = {
    "applications_open": date(2026, 3, 1),
    "applications_close": date(2026, 4, 30),
    "programme_start": date(2026, 9, 1),
    "programme_end": date(2027, 8, 31),
}


@pytest.mark.parametrize(
    ("today", "says", "call_to_action"),
    [
        (date(2026, 2, 10), "Applications open on 1 March 2026 and close on 30 April 2026.", True),
        (date(2026, 3, 1), "Applications close on 30 April 2026 (60 days left).", True),
        (date(2026, 4, 18), "Applications close on 30 April 2026 (12 days left).", True),
        (date(2026, 4, 29), "Applications close on 30 April 2026 (1 day left).", True),
        (date(2026, 4, 30), "Applications close on 30 April 2026 (last day today).", True),
        (date(2026, 5, 1), "Applications closed on 30 April 2026.", False),
    ],
)
def test_public_page_shows_the_application_window(
    browser, make, frozen, today, says, call_to_action
):
    frozen(today)
    cohort = make.cohort(name="2026-27", **WINDOW)
    resp = browser.get(f"/cohorts/{cohort.id}")  # signed out
    assert resp.status_code == 200
    page = text(resp)
    assert says in " ".join(page.split())
    assert ("Create an account to apply" in page) is call_to_action
    assert ("Sign in to apply" in page) is call_to_action
    if call_to_action:
        assert 'href="/account/register"' in page
        assert f'href="/account/sign-in?next=/cohorts/{cohort.id}"' in page


def test_public_page_reads_the_award_from_the_cohort(browser, make, frozen):
    frozen(date(2026, 4, 1))
    cohort = make.cohort(
        name="2026-27",
        description="Practice-focused research for social care.",
        personal_award_cap_pence=325_050,
        residential_days=4,
        study_days=20,
        backfill_pence=612_300,
        places=9,
        **WINDOW,
    )
    page = " ".join(text(browser.get(f"/cohorts/{cohort.id}")).split())
    assert "Cohort 2026-27" in page
    assert "Practice-focused research for social care." in page
    assert "24 days' release" in page
    assert "4 days of residential workshops and 20 study days" in page
    assert "up to £3,250.50" in page
    assert "£6,123.00 backfill" in page
    assert "There are 9 places" in page
    main = re.sub(r"<[^>]+>", " ", page[page.index("<main") : page.index("</main>")])
    assert not re.search(r"\b36\b|4,000", main)  # nothing hard-coded


def test_public_page_lists_future_sessions_and_past_ones_apart(app, browser, make, frozen):
    frozen(date(2026, 3, 20))
    cohort = make.cohort(**WINDOW)
    with app.app_context():
        db.session.add_all(
            [
                RecruitmentEvent(
                    cohort_id=cohort.id,
                    kind=EventKind.QA_SESSION,
                    starts_at=datetime(2026, 3, 10, 12, 0),
                    ends_at=datetime(2026, 3, 10, 13, 0),
                    joining_details="old-link",
                ),
                RecruitmentEvent(
                    cohort_id=cohort.id,
                    kind=EventKind.PSW_BRIEFING,
                    starts_at=datetime(2026, 4, 2, 9, 0),  # 10:00 BST
                    ends_at=datetime(2026, 4, 2, 10, 0),
                    joining_details="https://teams.example/briefing",
                ),
            ]
        )
        db.session.commit()
    page = text(browser.get(f"/cohorts/{cohort.id}"))
    future, _, past = page.partition("Past sessions")
    assert "Briefing for Principal Social Workers" in future
    assert "2 April 2026 at 10:00am to 11:00am" in future
    assert "https://teams.example/briefing" in future
    assert "10 March 2026 at 12:00pm to 1:00pm" in past
    assert "old-link" not in page  # past joining details are not shown


def test_public_list_shows_open_and_upcoming_cohorts(browser, make, frozen):
    frozen(date(2026, 4, 18))
    make.cohort(name="2026-27", **WINDOW)
    make.cohort(
        name="2027-28",
        applications_open=date(2027, 3, 1),
        applications_close=date(2027, 4, 30),
        programme_start=date(2027, 9, 1),
        programme_end=date(2028, 8, 31),
    )
    make.cohort(
        name="2025-26",
        applications_open=date(2025, 3, 1),
        applications_close=date(2025, 4, 30),
        programme_start=date(2025, 9, 1),
        programme_end=date(2026, 8, 31),
    )
    page = " ".join(text(browser.get("/cohorts/")).split())
    assert "Cohort 2026-27" in page and "(12 days left)" in page
    assert "Cohort 2027-28" in page and "Applications open on 1 March 2027" in page
    assert "2025-26" not in page


def test_signed_in_applicant_is_sent_to_the_application_pages(browser, make, frozen):
    frozen(date(2026, 4, 1))
    cohort = make.cohort(**WINDOW)
    applicant = make.user(Role.APPLICANT)
    browser.sign_in(applicant.email)
    page = text(browser.get(f"/cohorts/{cohort.id}"))
    assert "Create an account to apply" not in page
    assert 'href="/applications/"' in page


# --- PSW priority research areas -----------------------------------------------------


@pytest.fixture
def psw_setup(make, browser):
    org = make.org(name="Bramley City Council")
    psw = make.user(Role.PSW, orgs=[org])
    cohort = make.cohort(name="2026-27")
    browser.sign_in(psw.email)
    return org, psw, cohort


def areas(app) -> list[PriorityArea]:
    with app.app_context():
        rows = db.session.scalars(select(PriorityArea).order_by(PriorityArea.id)).all()
        for r in rows:
            db.session.expunge(r)
        return rows


def test_psw_publishes_and_withdraws_a_priority_area(app, browser, psw_setup):
    org, psw, cohort = psw_setup
    url = f"/cohorts/{cohort.id}/priorities"
    assert "For Bramley City Council." in text(browser.get(url))
    resp = browser.post(
        url, {"title": "Hospital discharge", "description": "Carers feel left out of planning."}
    )
    assert resp.status_code == 302, text(resp)[:3000]
    [area] = areas(app)
    assert (area.organisation_id, area.published_by_id, area.title) == (
        org.id,
        psw.id,
        "Hospital discharge",
    )
    [entry] = audit_actions(app, "priority_area.published")
    assert entry.object_id == area.id and entry.actor_id == psw.id

    public = text(browser.get(f"/cohorts/{cohort.id}"))
    assert "Bramley City Council" in public and "Hospital discharge" in public
    assert "Carers feel left out of planning." in public

    resp = browser.post(f"{url}/{area.id}/withdraw", token_from=url)
    assert resp.status_code == 302
    [area] = areas(app)
    assert area.is_withdrawn
    [entry] = audit_actions(app, "priority_area.withdrawn")
    assert entry.object_id == area.id
    mine = text(browser.get(url))
    assert "'Hospital discharge' has been withdrawn." in mine and "Withdrawn" in mine
    assert "Hospital discharge" not in text(browser.get(f"/cohorts/{cohort.id}"))


def test_public_page_groups_areas_by_authority(browser, browser_factory, make, psw_setup):
    org, psw, cohort = psw_setup
    browser.post(f"/cohorts/{cohort.id}/priorities", {"title": "Hospital discharge"})
    other_org = make.org(name="Ashdown County Council")
    other = make.user(Role.PSW, orgs=[other_org])
    b2 = browser_factory()
    b2.sign_in(other.email)
    b2.post(f"/cohorts/{cohort.id}/priorities", {"title": "Kinship care"})
    page = text(browser.get(f"/cohorts/{cohort.id}")).partition("<h2>Priority research areas")[2]
    ashdown, bramley = page.index("Ashdown County Council"), page.index("Bramley City Council")
    assert ashdown < page.index("Kinship care") < bramley < page.index("Hospital discharge")
    # each PSW sees only their own authority's areas
    mine = text(browser.get(f"/cohorts/{cohort.id}/priorities"))
    assert "Hospital discharge" in mine and "Kinship care" not in mine


def test_another_authoritys_area_is_not_found(app, browser, make, psw_setup):
    org, psw, cohort = psw_setup
    other_org = make.org()
    other_psw = make.user(Role.PSW, orgs=[other_org])
    with app.app_context():
        theirs = PriorityArea(
            cohort_id=cohort.id,
            organisation_id=other_org.id,
            title="Kinship care",
            published_by_id=other_psw.id,
        )
        db.session.add(theirs)
        db.session.commit()
        theirs_id = theirs.id
    url = f"/cohorts/{cohort.id}/priorities"
    resp = browser.post(f"{url}/{theirs_id}/withdraw", token_from=url)
    assert resp.status_code == 404
    assert not areas(app)[0].is_withdrawn
    assert audit_actions(app, "priority_area.withdrawn") == []


def test_an_area_cannot_be_withdrawn_through_another_cohort(app, browser, make, psw_setup):
    org, psw, cohort = psw_setup
    other_cohort = make.cohort()
    browser.post(f"/cohorts/{cohort.id}/priorities", {"title": "Hospital discharge"})
    [area] = areas(app)
    url = f"/cohorts/{other_cohort.id}/priorities"
    assert browser.post(f"{url}/{area.id}/withdraw", token_from=url).status_code == 404
    assert not areas(app)[0].is_withdrawn


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": ""}, "title", "Enter the priority area"),
        ({"title": "x" * 201}, "title", "Priority area must be 200 characters or fewer"),
        (
            {"title": "Ok", "description": "x" * 2001},
            "description",
            "Description must be 2000 characters or fewer",
        ),
    ],
)
def test_bad_priority_areas_are_refused(app, browser, psw_setup, data, field, message):
    _org, _psw, cohort = psw_setup
    resp = browser.post(f"/cohorts/{cohort.id}/priorities", data)
    assert field_error(resp.get_data(as_text=True), field) == message
    assert areas(app) == []


def test_the_same_area_cannot_be_published_twice(app, browser, psw_setup):
    _org, _psw, cohort = psw_setup
    url = f"/cohorts/{cohort.id}/priorities"
    browser.post(url, {"title": "Hospital discharge"})
    resp = browser.post(url, {"title": "hospital  DISCHARGE"})
    assert field_error(resp.get_data(as_text=True), "title") == (
        "Your authority has already published this priority area"
    )
    assert len(areas(app)) == 1


def test_a_withdrawn_area_can_be_published_again(app, browser, psw_setup):
    _org, psw, cohort = psw_setup
    url = f"/cohorts/{cohort.id}/priorities"
    browser.post(url, {"title": "Hospital discharge", "description": "First go."})
    [area] = areas(app)
    browser.post(f"{url}/{area.id}/withdraw", token_from=url)
    resp = browser.post(url, {"title": "Hospital Discharge", "description": "Second go."})
    assert resp.status_code == 302, text(resp)[:2000]
    [again] = areas(app)  # the same area, brought back
    assert (again.id, again.is_withdrawn, again.description) == (area.id, False, "Second go.")
    [entry] = audit_actions(app, "priority_area.republished")
    assert entry.actor_id == psw.id and entry.object_id == area.id
    assert "Second go." in text(browser.get(f"/cohorts/{cohort.id}"))


def test_no_publishing_once_applications_have_closed(app, browser, psw_setup, frozen):
    _org, _psw, cohort = psw_setup
    frozen(cohort.applications_close + timedelta(days=1))
    url = f"/cohorts/{cohort.id}/priorities"
    page = text(browser.get(url))
    assert "priority areas can no longer be published" in page and 'name="title"' not in page
    resp = browser.post(url, {"title": "Late idea"})
    assert resp.status_code == 200
    assert "priority areas can no longer be published" in text(resp)
    assert areas(app) == []


def test_the_service_accepts_a_missing_description(app, make, psw_setup):
    from app.accounts.models import User
    from app.cohorts import services
    from app.cohorts.models import Cohort
    from app.organisations.models import Organisation

    org, psw, cohort = psw_setup
    with app.app_context():
        c = db.session.get(Cohort, cohort.id)
        area = services.publish_priority_area(
            db.session.get(User, psw.id),
            c,
            db.session.get(Organisation, org.id),
            "Kinship care",
            None,
            c.applications_open,
        )
        assert area.description == ""
        db.session.rollback()


def test_psw_of_two_authorities_chooses_one_of_their_own(app, browser, make):
    one, two, stranger = make.org(name="Ashdown"), make.org(name="Bramley"), make.org()
    psw = make.user(Role.PSW, orgs=[one, two])
    cohort = make.cohort()
    browser.sign_in(psw.email)
    url = f"/cohorts/{cohort.id}/priorities"
    resp = browser.post(url, {"organisation": str(stranger.id), "title": "Kinship care"})
    assert field_error(resp.get_data(as_text=True), "organisation") == (
        "Select which authority this priority area is for"
    )
    assert areas(app) == []
    browser.post(url, {"organisation": str(two.id), "title": "Kinship care"})
    assert [a.organisation_id for a in areas(app)] == [two.id]


def test_psw_without_an_authority_is_told_and_cannot_publish(app, browser, make):
    psw = make.user(Role.PSW)
    cohort = make.cohort()
    browser.sign_in(psw.email)
    url = f"/cohorts/{cohort.id}/priorities"
    assert "not linked to an employer" in text(browser.get(url))
    browser.post(url, {"title": "Kinship care"})
    assert areas(app) == []


def test_priority_pages_are_for_psws_and_set_up_pages_for_staff(browser, make):
    cohort = make.cohort()
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    assert browser.get(f"/cohorts/{cohort.id}/priorities").status_code == 403
    browser.sign_out()
    psw = make.user(Role.PSW, orgs=[make.org()])
    browser.sign_in(psw.email)
    for url in ("/cohorts/manage", "/cohorts/manage/new", f"/cohorts/manage/{cohort.id}/edit"):
        assert browser.get(url).status_code == 403, url
    assert browser.post("/cohorts/manage/new", cohort_form(), token_from="/").status_code == 403


# --- home cards and navigation ------------------------------------------------------


def test_staff_home_shows_each_cohorts_window_and_the_nav_entry(browser, make, frozen):
    frozen(date(2026, 4, 18))
    cohort = make.cohort(name="2026-27", **WINDOW)
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    page = " ".join(text(browser.get("/")).split())
    assert "Cohort 2026-27: applications close in 12 days" in page
    assert "10 places. Applications are open from 1 March 2026 to 30 April 2026." in page
    assert f'href="/cohorts/manage/{cohort.id}"' in page
    assert 'href="/cohorts/manage"' in page  # the "Cohorts" menu entry

    manage = " ".join(text(browser.get("/cohorts/manage")).split())
    assert "2026-27" in manage and "Open" in manage
    assert "1 March 2026 to 30 April 2026" in manage


def test_staff_home_asks_for_a_cohort_when_none_is_open(browser, make, frozen):
    frozen(date(2026, 6, 1))
    make.cohort(name="2026-27", **WINDOW)
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    assert "Set up the next cohort" in text(browser.get("/"))


def test_psw_home_asks_for_priority_areas(browser, make, frozen):
    frozen(date(2026, 2, 1))
    cohort = make.cohort(name="2026-27", **WINDOW)
    psw = make.user(Role.PSW, orgs=[make.org()])
    browser.sign_in(psw.email)
    page = " ".join(text(browser.get("/")).split())
    assert "Publish your authority's priority research areas for 2026-27" in page
    assert f'href="/cohorts/{cohort.id}/priorities"' in page
    assert "Applications open on 1 March 2026." in page
    assert 'href="/cohorts/manage"' not in page


def test_other_roles_see_no_cohort_cards(browser, make, frozen):
    frozen(date(2026, 4, 18))
    make.cohort(name="2026-27", **WINDOW)
    manager = make.user(Role.LINE_MANAGER)
    browser.sign_in(manager.email)
    page = text(browser.get("/"))
    assert "Cohort 2026-27" not in page and "priority research areas for" not in page


def test_cohort_list_is_paged_newest_first(browser, make):
    for year in range(12):
        start = date(2010 + year, 4, 1)
        make.cohort(
            name=f"Cohort {2010 + year}",
            applications_open=start - timedelta(days=120),
            applications_close=start - timedelta(days=60),
            programme_start=start,
            programme_end=start + timedelta(days=364),
        )
    browser.sign_in(make.user(Role.STAFF).email)
    first = " ".join(text(browser.get("/cohorts/manage")).split())
    assert "Cohort 2021" in first and "Cohort 2012" in first and "Cohort 2011" not in first
    assert "Showing 1 to 10 of 12" in first
    second = " ".join(text(browser.get("/cohorts/manage?page=2")).split())
    assert "Cohort 2011" in second and "Cohort 2010" in second and "Cohort 2021" not in second


def test_start_page_reads_the_offer_from_the_open_cohort(browser, make, frozen):
    frozen(date(2026, 4, 18))
    page = " ".join(text(browser.get("/start")).split())
    assert "No cohort is taking applications at the moment" in page
    assert "36 days' release" in page and "£4,000" in page  # the programme's defaults
    make.cohort(name="2026-27", study_days=24, personal_award_cap_pence=350_000, **WINDOW)
    page = " ".join(text(browser.get("/start")).split())
    assert "30 days' release (6 days of residential workshops and 24 study days)" in page
    assert "up to £3,500." in page
    assert "Applications to 2026-27 are open until 30 April 2026." in page
    assert 'href="/cohorts/"' in page
