"""Programme staff and PSWs: the at-risk view, a cohort's ledger and CSV, residential days."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from app.accounts.models import User
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.core.workdays import non_working_reason
from app.extensions import db
from app.organisations.models import Nation
from app.release.models import DayKind, DayStatus, ReleaseDay
from tests.helpers import recorded_sql, text

TODAY = date(2026, 10, 1)  # a Thursday, half way through the programme year
START, END = date(2026, 4, 1), date(2027, 3, 31)  # 364 days; 183 have passed
EXPECTED = "18.1"  # 36 days x 183 / 364, to one decimal place


# Helpers ------------------------------------------------------------------------------


def weekdays(first: date, count: int) -> list[date]:
    """Working days in England from `first` (no weekends or bank holidays)."""
    out, d = [], first
    while len(out) < count:
        if non_working_reason(d, Nation.ENGLAND_AND_WALES) is None:
            out.append(d)
        d += timedelta(days=1)
    return out


def add_days(app, award_id, days, status, kind=DayKind.STUDY, half_days=2, **extra) -> None:
    """Ledger rows written directly: these tests are about reading the ledger."""
    with app.app_context():
        for d in days:
            db.session.add(
                ReleaseDay(
                    award_id=award_id,
                    day=d,
                    half_days=half_days,
                    kind=kind,
                    status=status,
                    **extra,
                )
            )
        db.session.commit()


HIDDEN = re.compile(r'<span class="nhsuk-u-visually-hidden">.*?</span>', re.S)
TAGS = re.compile(r"<[^>]+>")


def table(resp, table_id: str) -> list[list[str]]:
    """The body rows of a table as lists of cell texts (visually hidden text removed)."""
    html = text(resp)
    m = re.search(rf'<table[^>]*id="{table_id}".*?<tbody[^>]*>(.*?)</tbody>', html, re.S)
    if m is None:
        return []
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(1), re.S)
    return [
        [
            " ".join(TAGS.sub(" ", HIDDEN.sub("", c)).split())
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in rows
    ]


def names(resp, table_id: str = "at-risk") -> list[str]:
    return [row[0] for row in table(resp, table_id)]


@dataclass
class World:
    cohort: object
    alice: object
    bob: object
    carol: object
    east: object
    west: object
    staff: object


@pytest.fixture
def frozen(app, monkeypatch):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)
    return TODAY


def running(make, name="2026-27"):
    return make.cohort(
        name=name,
        programme_start=START,
        programme_end=END,
        applications_open=date(2025, 11, 3),
        applications_close=date(2026, 1, 30),
        places=20,
    )


def holder_award(make, cohort, name, employer, manager=None):
    holder = make.user(Role.APPLICANT, name=name, orgs=[employer])
    return make.award(cohort=cohort, employer=employer, holder=holder, manager=manager)


@pytest.fixture
def world(app, make, frozen) -> World:
    """Alice is ahead, Bob is well behind, Carol is a little behind but not at risk."""
    cohort = running(make)
    west, east, north = (
        make.org("Westshire Council"),
        make.org("Eastshire Council"),
        make.org("Northshire Council"),
    )
    manager = make.user(Role.LINE_MANAGER, name="Maya Manager", orgs=[west])
    alice = holder_award(make, cohort, "Alice Ahead", west, manager=manager)
    bob = holder_award(make, cohort, "Bob Behind", east)
    carol = holder_award(make, cohort, "Carol Close", north)

    add_days(app, alice.id, weekdays(date(2026, 4, 6), 18), DayStatus.TAKEN)
    add_days(app, alice.id, weekdays(date(2026, 10, 5), 2), DayStatus.APPROVED)
    add_days(app, bob.id, weekdays(date(2026, 4, 6), 5), DayStatus.TAKEN)
    add_days(app, bob.id, weekdays(date(2026, 10, 5), 3), DayStatus.REQUESTED)
    add_days(app, bob.id, weekdays(date(2026, 11, 2), 2), DayStatus.DECLINED)
    add_days(app, bob.id, weekdays(date(2026, 12, 1), 2), DayStatus.CALLED_BACK)
    add_days(app, carol.id, weekdays(date(2026, 4, 6), 16), DayStatus.TAKEN)
    add_days(app, carol.id, [date(2026, 10, 6)], DayStatus.APPROVED, half_days=1)

    staff = make.user(Role.STAFF)
    return World(cohort, alice, bob, carol, east, west, staff)


# The at-risk view ---------------------------------------------------------------------


def test_at_risk_lists_most_behind_first_with_figures_from_the_ledger(world, browser):
    browser.sign_in(world.staff.email)
    resp = browser.get("/release/at-risk")
    assert resp.status_code == 200
    rows = table(resp, "at-risk")
    assert rows == [
        [
            "Bob Behind",
            "Eastshire Council",
            "2026-27",
            rows[0][3],
            "36",
            "5",
            EXPECTED,
            "13.1",
            "At risk",
        ],
        [
            "Carol Close",
            "Northshire Council",
            "2026-27",
            rows[1][3],
            "36",
            "16.5",
            EXPECTED,
            "1.6",
            "On track",
        ],
        [
            "Alice Ahead",
            "Westshire Council",
            "2026-27",
            "Maya Manager",
            "36",
            "20",
            EXPECTED,
            "0",
            "On track",
        ],
    ]
    page = text(resp)
    assert "At risk: 1 of 3 award holders in 2026-27" in page
    # each name links to the award holder's ledger
    assert f'href="/release/awards/{world.bob.id}"' in page
    assert f'href="/release/cohorts/{world.cohort.id}"' in page


@pytest.mark.parametrize(
    "query,expected",
    [
        ("sort=behind&dir=asc", ["Alice Ahead", "Carol Close", "Bob Behind"]),
        ("sort=name", ["Alice Ahead", "Bob Behind", "Carol Close"]),
        ("sort=name&dir=desc", ["Carol Close", "Bob Behind", "Alice Ahead"]),
        ("sort=employer", ["Bob Behind", "Carol Close", "Alice Ahead"]),
        ("at_risk=1", ["Bob Behind"]),
        # nonsense falls back to the defaults, never an error
        ("sort=zzz&dir=up&cohort=abc&page=-4", ["Bob Behind", "Carol Close", "Alice Ahead"]),
        ("cohort=999999&page=99", ["Bob Behind", "Carol Close", "Alice Ahead"]),
    ],
)
def test_at_risk_sorts_and_filters_on_the_server(world, browser, query, expected):
    browser.sign_in(world.staff.email)
    resp = browser.get(f"/release/at-risk?{query}")
    assert resp.status_code == 200
    assert names(resp) == expected


def test_at_risk_shows_running_cohorts_by_default_and_others_when_chosen(world, make, app, browser):
    old = make.cohort(
        name="2024-25",
        programme_start=date(2024, 4, 1),
        programme_end=date(2025, 3, 31),
        applications_open=date(2023, 11, 1),
        applications_close=date(2024, 1, 31),
    )
    past = holder_award(make, old, "Pat Past", world.west)
    add_days(app, past.id, weekdays(date(2024, 4, 8), 30), DayStatus.TAKEN)
    browser.sign_in(world.staff.email)
    assert "Pat Past" not in names(browser.get("/release/at-risk"))
    resp = browser.get(f"/release/at-risk?cohort={old.id}")
    # the year is over: nobody is behind; 6 of the 36 days were never recorded
    assert table(resp, "at-risk") == [
        [
            "Pat Past",
            "Westshire Council",
            "2024-25",
            table(resp, "at-risk")[0][3],
            "36",
            "30",
            "36",
            "–",
            "Year ended 6 days unaccounted for",
        ]
    ]


def test_at_risk_pages_on_the_server(app, make, frozen, browser):
    cohort = running(make)
    org = make.org()
    for i in range(12):
        holder_award(make, cohort, f"Holder {i:02d}", org)
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    first = browser.get("/release/at-risk?sort=name")
    assert names(first) == [f"Holder {i:02d}" for i in range(10)]
    assert "Showing 1 to 10 of 12" in text(first)
    second = browser.get("/release/at-risk?sort=name&page=2")
    assert names(second) == ["Holder 10", "Holder 11"]


def test_psw_sees_only_their_own_authority(world, make, browser):
    psw = make.user(Role.PSW, orgs=[world.east])
    browser.sign_in(psw.email)
    resp = browser.get("/release/at-risk")
    assert names(resp) == ["Bob Behind"]
    assert "Alice Ahead" not in text(resp)
    # their cohort page and export cover their own award holders only
    page = browser.get(f"/release/cohorts/{world.cohort.id}")
    assert page.status_code == 200
    assert names(page, "balances") == ["Bob Behind"]
    assert "Record a residential day" not in text(page)
    rows = list(
        csv.reader(
            io.StringIO(
                browser.get(f"/release/cohorts/{world.cohort.id}/ledger.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert {r[0] for r in rows[1:]} == {"Bob Behind"}
    # and never a cohort in which their authority has nobody, nor staff-only pages
    other = running(make, name="Another cohort")
    holder_award(make, other, "Olive Other", world.west)
    assert browser.get(f"/release/cohorts/{other.id}").status_code == 404
    assert browser.get(f"/release/cohorts/{other.id}/ledger.csv").status_code == 404
    assert browser.get(f"/release/cohorts/{world.cohort.id}/residential").status_code == 403


def test_psw_of_another_authority_sees_nobody(world, make, browser):
    psw = make.user(Role.PSW, orgs=[make.org("Southshire Council")])
    browser.sign_in(psw.email)
    resp = browser.get("/release/at-risk")
    assert resp.status_code == 200
    assert names(resp) == []
    assert "no award holders" in text(resp)
    assert browser.get(f"/release/cohorts/{world.cohort.id}").status_code == 404


@pytest.mark.parametrize("role", [Role.LINE_MANAGER, Role.APPLICANT, Role.AWARD_HOLDER])
def test_managers_and_applicants_cannot_reach_oversight(world, make, browser, role):
    user = make.user(role, orgs=[world.east])
    browser.sign_in(user.email)
    for url in (
        "/release/at-risk",
        f"/release/cohorts/{world.cohort.id}",
        f"/release/cohorts/{world.cohort.id}/ledger.csv",
        f"/release/cohorts/{world.cohort.id}/residential",
    ):
        assert browser.get(url).status_code == 403, url


def test_at_risk_page_query_count_does_not_grow_with_award_holders(app, make, frozen, browser):
    cohort = running(make)
    org = make.org()
    staff = make.user(Role.STAFF)
    awards = [holder_award(make, cohort, f"Holder {i:02d}", org) for i in range(3)]
    for a in awards:
        add_days(app, a.id, weekdays(date(2026, 5, 4), 4), DayStatus.TAKEN)
    browser.sign_in(staff.email)
    browser.get("/release/at-risk")  # warm up

    def queries() -> int:
        with recorded_sql(app) as statements:
            resp = browser.get("/release/at-risk")
        assert resp.status_code == 200
        return len(statements)

    with_three = queries()
    for i in range(3, 12):
        a = holder_award(make, cohort, f"Holder {i:02d}", make.org())
        add_days(app, a.id, weekdays(date(2026, 5, 4), 2), DayStatus.TAKEN)
    with_twelve = queries()
    assert with_three == with_twelve
    assert with_twelve <= 12


def test_cohort_page_query_count_does_not_grow_with_award_holders(app, make, frozen, browser):
    cohort = running(make)
    staff = make.user(Role.STAFF)
    for i in range(3):
        holder_award(make, cohort, f"Holder {i:02d}", make.org())
    browser.sign_in(staff.email)
    url = f"/release/cohorts/{cohort.id}"
    browser.get(url)
    with recorded_sql(app) as three:
        browser.get(url)
    for i in range(3, 12):
        holder_award(make, cohort, f"Holder {i:02d}", make.org())
    with recorded_sql(app) as twelve:
        browser.get(url)
    assert len(three) == len(twelve)


def test_cohort_page_pages_its_holders_and_counts_them_all(app, make, frozen, browser):
    cohort = running(make)
    org = make.org()
    for i in range(12):
        holder_award(make, cohort, f"Holder {i:02d}", org)
    browser.sign_in(make.user(Role.STAFF).email)
    url = f"/release/cohorts/{cohort.id}"
    first = browser.get(url)
    assert [r[0] for r in table(first, "balances")][:1] == ["Holder 00"]
    assert len(table(first, "balances")) == 10
    assert "Showing 1 to 10 of 12" in text(first)
    second = browser.get(url + "?page=2")
    assert [r[0] for r in table(second, "balances")] == [
        "Holder 10",
        "Holder 11",
    ]
    assert "Showing 11 to 12 of 12" in text(second)
    past = browser.get(url + "?page=5")  # past the end: no rows, the pager still counts
    assert past.status_code == 200
    assert 'id="balances"' in past.get_data(as_text=True)


def test_home_cards_count_award_holders_behind(world, make, browser, browser_factory):
    browser.sign_in(world.staff.email)
    home = text(browser.get("/"))
    assert "1 award holder is behind with their research days" in home
    psw = browser_factory()
    psw.sign_in(make.user(Role.PSW, orgs=[world.west]).email)
    home = text(psw.get("/"))
    assert "Research days on track" in home
    assert "The award holder from your authority is keeping pace" in home


def test_nav_shows_at_risk_to_staff_and_psws_only(world, make, browser_factory):
    for role, shown in ((Role.STAFF, True), (Role.PSW, True), (Role.LINE_MANAGER, False)):
        b = browser_factory()
        b.sign_in(make.user(role).email)
        assert ('href="/release/at-risk"' in text(b.get("/"))) is shown, role


# A cohort's balances and the CSV ------------------------------------------------------


def test_cohort_page_shows_balances_from_the_ledger(world, app, browser):
    add_days(
        app,
        world.bob.id,
        [date(2026, 5, 12), date(2026, 5, 13)],
        DayStatus.TAKEN,
        kind=DayKind.RESIDENTIAL,
    )
    browser.sign_in(world.staff.email)
    resp = browser.get(f"/release/cohorts/{world.cohort.id}")
    assert resp.status_code == 200
    rows = {r[0]: r for r in table(resp, "balances")}
    assert list(rows) == ["Alice Ahead", "Bob Behind", "Carol Close"]
    # study approved+taken, waiting, called back, left to request, residential, pace
    assert rows["Bob Behind"][2:] == [
        "5 of 30",
        "3",
        "2",
        "22",
        "2 of 6",
        "At risk 11.1 days behind",
    ]
    assert rows["Carol Close"][2:] == [
        "16.5 of 30",
        "0",
        "0",
        "13.5",
        "0 of 6",
        "On track 1.6 days behind",
    ]
    page = text(resp)
    assert f'href="/release/cohorts/{world.cohort.id}/ledger.csv"' in page
    assert f'href="/release/cohorts/{world.cohort.id}/residential"' in page


def test_cohort_page_unknown_cohort_is_404(world, browser):
    browser.sign_in(world.staff.email)
    assert browser.get("/release/cohorts/999999").status_code == 404
    assert browser.get("/release/cohorts/999999/ledger.csv").status_code == 404
    assert browser.get("/release/cohorts/999999/residential").status_code == 404


def test_csv_has_one_row_per_entry_and_is_streamed(world, app, make, browser):
    delegate = make.user(Role.LINE_MANAGER, name="Dee Delegate")
    with app.app_context():
        manager = db.session.get(User, world.alice.line_manager_id)
        db.session.add(
            ReleaseDay(
                award_id=world.alice.id,
                day=date(2026, 11, 2),
                half_days=1,
                kind=DayKind.STUDY,
                status=DayStatus.DECLINED,
                retrospective=True,
                decided_by_id=delegate.id,
                decided_for_id=manager.id,
                decided_at=func.now(),
                reason="Short of cover",
            )
        )
        db.session.commit()
        entries = db.session.scalar(
            select(func.count(ReleaseDay.id)).where(
                ReleaseDay.award_id.in_([world.alice.id, world.bob.id, world.carol.id])
            )
        )
    browser.sign_in(world.staff.email)
    streamed = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "release_day" in statement:
            streamed.append(context.execution_options.get("stream_results"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        resp = browser.get(f"/release/cohorts/{world.cohort.id}/ledger.csv")
        assert resp.is_streamed  # a generator, not a body built in memory
        body = resp.get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # rows come in batches over a server-side cursor (PostgreSQL), never all at once
    assert streamed == [True]
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"] == (
        'attachment; filename="release-ledger-2026-27.csv"'
    )
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == [
        "Award holder",
        "Email",
        "Employer",
        "Date",
        "Weekday",
        "Whole or half day",
        "Days",
        "Kind",
        "Status",
        "Retrospective",
        "Requested at (UK time)",
        "Decided by",
        "Decided for (delegation)",
        "Decided at (UK time)",
        "Reason",
    ]
    assert len(rows) - 1 == entries
    # holders A to Z, then by date
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])
    declined = next(r for r in rows if r[8] == "Declined" and r[0] == "Alice Ahead")
    assert declined[3:11] == [
        "2026-11-02",
        "Monday",
        "Half day",
        "0.5",
        "Study day",
        "Declined",
        "Yes",
        declined[10],
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", declined[10])
    assert declined[11:13] == ["Dee Delegate", "Maya Manager"]
    assert declined[14] == "Short of cover"


def test_csv_escapes_cells_a_spreadsheet_would_run(app, make, frozen, browser):
    cohort = running(make)
    org = make.org("+Plus Council")
    award = holder_award(make, cohort, '=HYPERLINK("http://evil.test","x")', org)
    add_days(app, award.id, [date(2026, 5, 4)], DayStatus.CALLED_BACK, reason="@SUM(A1:A9)")
    add_days(app, award.id, [date(2026, 5, 5)], DayStatus.DECLINED, reason="-2+3")
    browser.sign_in(make.user(Role.STAFF).email)
    body = browser.get(f"/release/cohorts/{cohort.id}/ledger.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]
    assert rows[0][0] == '\'=HYPERLINK("http://evil.test","x")'
    assert rows[0][2] == "'+Plus Council"
    assert rows[0][14] == "'@SUM(A1:A9)"
    assert rows[1][14] == "'-2+3"
    # ordinary values are untouched
    assert rows[0][3] == "2026-05-04"


# Residential days ---------------------------------------------------------------------


def residential_url(world) -> str:
    return f"/release/cohorts/{world.cohort.id}/residential"


def form(award_id, d: date | None, length="whole") -> dict:
    data = {"award": str(award_id), "length": length}
    if d is not None:
        data.update({"date-day": str(d.day), "date-month": str(d.month), "date-year": str(d.year)})
    return data


def rows_for(app, award_id, kind=DayKind.RESIDENTIAL):
    with app.app_context():
        return list(
            db.session.execute(
                select(ReleaseDay.day, ReleaseDay.status, ReleaseDay.half_days)
                .where(ReleaseDay.award_id == award_id, ReleaseDay.kind == kind)
                .order_by(ReleaseDay.day)
            )
        )


def test_refusals_write_dates_without_a_leading_zero(world, browser):
    browser.sign_in(world.staff.email)
    page = text(browser.post(residential_url(world), form(world.bob.id, date(2027, 4, 6))))
    assert " 6 April 2027 cannot be recorded" in page and "06 April" not in page


def test_staff_record_residential_days(world, app, browser):
    browser.sign_in(world.staff.email)
    page = browser.get(residential_url(world))
    assert page.status_code == 200
    assert "Bob Behind (Eastshire Council)" in text(page)
    resp = browser.post(residential_url(world), form(world.bob.id, date(2026, 10, 13)))
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/release/cohorts/{world.cohort.id}")
    done = text(browser.get(resp.headers["Location"]))
    assert "Whole residential day on Tuesday 13 October 2026 recorded for Bob Behind" in done
    browser.post(residential_url(world), form(world.bob.id, date(2026, 5, 12), "half"))
    assert rows_for(app, world.bob.id) == [
        (date(2026, 5, 12), DayStatus.TAKEN, 1),  # in the past: taken
        (date(2026, 10, 13), DayStatus.APPROVED, 2),  # to come: approved
    ]
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor_id == world.staff.id)
        ).all()
    assert actions.count("release.residential_recorded") == 2


@pytest.mark.parametrize(
    "data,message,anchor",
    [
        (form("", date(2026, 10, 13)), "Choose the award holder", "#award"),
        (form(999999, date(2026, 10, 13)), "Choose the award holder", "#award"),
        (lambda w: form(w.bob.id, None), "Enter the date of the residential day", "#date-day"),
        (
            lambda w: {
                **form(w.bob.id, None),
                "date-day": "31",
                "date-month": "2",
                "date-year": "2026",
            },
            "Date must be a real date",
            "#date-day",
        ),
        (
            lambda w: {
                **form(w.bob.id, None),
                "date-day": "3",
                "date-month": "",
                "date-year": "2026",
            },
            "Date must include a month",
            "#date-month",
        ),
        (lambda w: form(w.bob.id, date(2026, 10, 10)), "cannot be recorded: Saturday", "#date-day"),
        (
            lambda w: form(w.bob.id, date(2026, 8, 31)),
            "cannot be recorded: bank holiday",
            "#date-day",
        ),
        (
            lambda w: form(w.bob.id, date(2027, 4, 6)),
            "cannot be recorded: outside the programme dates",
            "#date-day",
        ),
        (
            lambda w: form(w.bob.id, date(2026, 10, 13), "most"),
            "whole day or a half day",
            "#length",
        ),
    ],
)
def test_residential_form_refuses_bad_input_and_changes_nothing(
    world, app, browser, data, message, anchor
):
    data = data(world) if callable(data) else data
    browser.sign_in(world.staff.email)
    resp = browser.post(residential_url(world), data)
    assert resp.status_code == 200
    page = text(resp)
    assert "There is a problem" in page
    assert message in page
    assert f'href="{anchor}"' in page
    assert rows_for(app, world.bob.id) == []


def test_residential_days_cannot_pass_the_entitlement_or_repeat_a_date(world, app, browser):
    add_days(
        app, world.bob.id, weekdays(date(2026, 5, 11), 6), DayStatus.TAKEN, kind=DayKind.RESIDENTIAL
    )
    browser.sign_in(world.staff.email)
    resp = browser.post(residential_url(world), form(world.bob.id, date(2026, 10, 13)))
    assert resp.status_code == 200
    assert "This would pass the 6 residential days" in text(resp)
    assert len(rows_for(app, world.bob.id)) == 6

    resp = browser.post(residential_url(world), form(world.alice.id, date(2026, 4, 7)))
    assert "already in your ledger" in text(resp)  # Alice took a study day then
    assert rows_for(app, world.alice.id) == []
