"""Private iCalendar feeds of approved release days: made, replaced and revoked through
the calendar page, read by calendar apps without signing in."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.accounts.models import User, UserStatus
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.extensions import db
from app.release.models import CalendarFeed, DayKind, DayStatus, ReleaseDay
from tests.helpers import text

TODAY = date(2026, 10, 1)
ADDRESS = re.compile(r'value="http://localhost(/release/calendar/[A-Za-z0-9_-]+\.ics)"')


@pytest.fixture(autouse=True)
def frozen(app, monkeypatch):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)


def cohort(make):
    return make.cohort(
        name="2026-27",
        programme_start=date(2026, 4, 1),
        programme_end=date(2027, 3, 31),
        applications_open=date(2025, 11, 3),
        applications_close=date(2026, 1, 30),
    )


def add(app, award_id, day, status, kind=DayKind.STUDY, half_days=2) -> int:
    with app.app_context():
        row = ReleaseDay(award_id=award_id, day=day, half_days=half_days, kind=kind, status=status)
        db.session.add(row)
        db.session.commit()
        return row.id


def make_address(browser, scope="self") -> str:
    """Make (or replace) an address on the calendar page; returns its path."""
    resp = browser.post(f"/release/calendar/{scope}/new", token_from="/release/calendar")
    assert resp.status_code == 200
    m = ADDRESS.search(resp.get_data(as_text=True))
    assert m, "the new address is shown on the page"
    return m.group(1)


def events(resp) -> dict[str, dict]:
    cal = Calendar.from_ical(resp.get_data())
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def holder_world(app, make):
    c = cohort(make)
    org = make.org()
    holder = make.user(Role.APPLICANT, name="Priya Shah", orgs=[org])
    award = make.award(cohort=c, employer=org, holder=holder)
    ids = {
        "taken": add(app, award.id, date(2026, 5, 7), DayStatus.TAKEN),
        "approved": add(app, award.id, date(2026, 10, 8), DayStatus.APPROVED),
        "half": add(app, award.id, date(2026, 10, 15), DayStatus.APPROVED, half_days=1),
        "residential": add(
            app, award.id, date(2026, 10, 20), DayStatus.APPROVED, kind=DayKind.RESIDENTIAL
        ),
        "requested": add(app, award.id, date(2026, 10, 22), DayStatus.REQUESTED),
        "declined": add(app, award.id, date(2026, 10, 23), DayStatus.DECLINED),
        "cancelled": add(app, award.id, date(2026, 10, 26), DayStatus.CANCELLED),
        "called_back": add(app, award.id, date(2026, 5, 14), DayStatus.CALLED_BACK),
    }
    return award, holder, ids


def test_holder_feed_has_only_approved_and_taken_days(holder_world, browser, browser_factory):
    award, holder, ids = holder_world
    browser.sign_in(holder.email)
    page = browser.get("/release/calendar")
    assert page.status_code == 200
    assert "Subscribe from web" in text(page) and "From internet" in text(page)
    path = make_address(browser)

    calendar_app = browser_factory()  # not signed in, like Outlook or Google
    resp = calendar_app.get(path)
    assert resp.status_code == 200
    assert resp.mimetype == "text/calendar"
    assert resp.headers["Cache-Control"] == "no-store"
    cal = Calendar.from_ical(resp.get_data())
    assert str(cal["VERSION"]) == "2.0"
    assert "Release days" in str(cal["PRODID"])
    assert str(cal["X-WR-CALNAME"]) == "My research days"
    found = events(resp)
    wanted = {
        f"release-day-{ids[k]}@localhost": k for k in ("taken", "approved", "half", "residential")
    }
    assert set(found) == set(wanted)
    by_kind = {wanted[uid]: e for uid, e in found.items()}
    assert str(by_kind["taken"]["SUMMARY"]) == "Research study day"
    assert str(by_kind["half"]["SUMMARY"]) == "Research study day (half day)"
    assert str(by_kind["residential"]["SUMMARY"]) == "Residential workshop"
    for e in found.values():
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert type(start) is date and end == start + timedelta(days=1)  # all day
        assert e["DTSTART"].params["VALUE"] == "DATE"
        assert e.decoded("DTSTAMP").tzinfo is not None
    assert by_kind["approved"].decoded("DTSTART") == date(2026, 10, 8)
    # the same UIDs every time, so calendar apps update rather than duplicate
    assert set(events(calendar_app.get(path))) == set(found)


def test_a_day_cancelled_later_leaves_the_feed(holder_world, app, browser, browser_factory):
    award, holder, ids = holder_world
    browser.sign_in(holder.email)
    path = make_address(browser)
    with app.app_context():
        db.session.get(ReleaseDay, ids["approved"]).status = DayStatus.CANCELLED
        db.session.commit()
    assert f"release-day-{ids['approved']}@localhost" not in events(browser_factory().get(path))


def test_only_a_hash_of_the_secret_is_stored_and_changes_are_audited(holder_world, app, browser):
    award, holder, _ids = holder_world
    browser.sign_in(holder.email)
    path = make_address(browser)
    secret = path.rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == holder.id))
        assert feed.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in repr(
            [(f.token_hash, f.scope) for f in db.session.scalars(select(CalendarFeed))]
        )
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor_id == holder.id)
        ).all()
        assert "release.calendar_created" in actions
        assert all(
            secret not in str(e.changes) + e.summary for e in db.session.scalars(select(AuditEntry))
        )
    # the address is shown once: the page does not show it again
    assert secret not in browser.get("/release/calendar").get_data(as_text=True)


def test_replacing_and_revoking_stop_the_old_address_at_once(
    holder_world, app, browser, browser_factory
):
    award, holder, _ids = holder_world
    reader = browser_factory()
    browser.sign_in(holder.email)
    first = make_address(browser)
    assert reader.get(first).status_code == 200
    second = make_address(browser)
    assert second != first
    assert reader.get(first).status_code == 404
    assert reader.get(second).status_code == 200

    resp = browser.post("/release/calendar/self/revoke", token_from="/release/calendar")
    assert resp.status_code == 302
    assert "has been turned off" in text(browser.get(resp.headers["Location"]))
    assert reader.get(second).status_code == 404
    # turning it off twice says so, and changes nothing
    resp = browser.post(
        "/release/calendar/self/revoke", token_from="/release/calendar", follow_redirects=True
    )
    assert "already been turned off" in text(resp)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor_id == holder.id)
        ).all()
    assert actions.count("release.calendar_revoked") == 1
    assert "release.calendar_replaced" in actions


def test_the_database_allows_one_live_address_per_person_and_calendar(holder_world, app):
    from sqlalchemy.exc import IntegrityError

    _award, holder, _ids = holder_world
    with app.app_context():
        db.session.add(CalendarFeed(user_id=holder.id, scope="self", token_hash="a" * 64))
        db.session.add(CalendarFeed(user_id=holder.id, scope="team", token_hash="b" * 64))
        db.session.commit()
        db.session.add(CalendarFeed(user_id=holder.id, scope="self", token_hash="c" * 64))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_clash_while_making_an_address_is_explained(holder_world, app, browser, monkeypatch):
    """Two requests at once: the second finds a live address it did not revoke."""
    from app.release import calendar

    _award, holder, _ids = holder_world
    browser.sign_in(holder.email)
    make_address(browser)
    monkeypatch.setattr(calendar, "_revoke_all", lambda user, scope: 0)  # the race
    resp = browser.post(
        "/release/calendar/self/new", token_from="/release/calendar", follow_redirects=True
    )
    assert resp.status_code == 200
    assert "changed at the same moment" in text(resp)
    with app.app_context():
        live = db.session.scalars(
            select(CalendarFeed).where(
                CalendarFeed.user_id == holder.id, CalendarFeed.revoked_at.is_(None)
            )
        ).all()
    assert len(live) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/release/calendar/not-a-real-token.ics",
        "/release/calendar/" + "a" * 300 + ".ics",
        "/release/calendar/.ics",
    ],
)
def test_unknown_addresses_are_404(browser, path):
    assert browser.get(path).status_code == 404


def test_a_deactivated_person_s_feed_stops(holder_world, app, browser, browser_factory):
    award, holder, _ids = holder_world
    browser.sign_in(holder.email)
    path = make_address(browser)
    with app.app_context():
        db.session.get(User, holder.id).status = UserStatus.DEACTIVATED
        db.session.commit()
    assert browser_factory().get(path).status_code == 404


def test_manager_team_feed_covers_the_people_they_manage(app, make, browser, browser_factory):
    c = cohort(make)
    org = make.org()
    manager = make.user(Role.LINE_MANAGER, name="Jordan Lee", orgs=[org])
    other_manager = make.user(Role.LINE_MANAGER, orgs=[org])
    a = make.award(
        cohort=c,
        employer=org,
        manager=manager,
        holder=make.user(Role.APPLICANT, name="Ann Able", orgs=[org]),
    )
    b = make.award(
        cohort=c,
        employer=org,
        manager=manager,
        holder=make.user(Role.APPLICANT, name="Ben Bold", orgs=[org]),
    )
    elsewhere = make.award(cohort=c, employer=org, manager=other_manager)
    ann = add(app, a.id, date(2026, 10, 8), DayStatus.APPROVED)
    ben = add(app, b.id, date(2026, 10, 9), DayStatus.APPROVED, half_days=1)
    add(app, b.id, date(2026, 10, 12), DayStatus.REQUESTED)
    add(app, elsewhere.id, date(2026, 10, 8), DayStatus.APPROVED)

    browser.sign_in(manager.email)
    page = text(browser.get("/release/calendar"))
    assert "Your team's research days" in page
    assert "Your research days</h2>" not in page  # a manager holds no award
    resp = browser_factory().get(make_address(browser, "team"))
    cal = Calendar.from_ical(resp.get_data())
    assert str(cal["X-WR-CALNAME"]) == "Research days: Jordan Lee's team"
    summaries = {str(e["UID"]): str(e["SUMMARY"]) for e in cal.walk("VEVENT")}
    assert summaries == {
        f"release-day-{ann}@localhost": "Ann Able: Research study day",
        f"release-day-{ben}@localhost": "Ben Bold: Research study day (half day)",
    }
    # a holder cannot make a team address, nor anyone an address of another kind
    assert (
        browser.post("/release/calendar/everyone/new", token_from="/release/calendar").status_code
        == 404
    )
    holder = browser_factory()
    holder.sign_in(make.reload(User, a.holder_id).email)
    assert (
        holder.post("/release/calendar/team/new", token_from="/release/calendar").status_code == 404
    )
    assert (
        holder.post("/release/calendar/team/revoke", token_from="/release/calendar").status_code
        == 404
    )


def test_calendar_actions_need_the_csrf_token(holder_world, browser):
    _award, holder, _ids = holder_world
    browser.sign_in(holder.email)
    resp = browser.client.post("/release/calendar/self/new", data={})
    assert resp.status_code == 400
    assert (
        browser.post("/release/calendar/self/new", token_from="/release/calendar").status_code
        == 200
    )


def test_other_roles_cannot_make_addresses(make, browser):
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    assert browser.get("/release/calendar").status_code == 403
    resp = browser.post("/release/calendar/self/new", token_from="/account/")
    assert resp.status_code == 403


def test_home_offers_a_calendar_until_one_is_made(holder_world, browser):
    _award, holder, _ids = holder_world
    browser.sign_in(holder.email)
    assert "Add your research days to your calendar" in text(browser.get("/"))
    make_address(browser)
    assert "Add your research days to your calendar" not in text(browser.get("/"))
