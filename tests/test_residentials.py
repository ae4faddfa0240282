"""Residential workshops: the rules at their edges (set-up, timetable, register, ledger,
registration, apologies, clearing needs) and the journeys over HTTP."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Nation
from app.release import services as ledger
from app.release.models import DayKind, DayStatus, ReleaseDay
from app.residentials import services
from app.residentials.models import Attendance, Mark, Registration, Workshop
from app.residentials.services import RegisterChanged, ResidentialError
from tests.helpers import text
from tests.matrix.residentials import monday_after

# A programme year from a Monday to a Friday, with no bank holiday in its first weeks.
START = date(2027, 9, 6)  # Monday
END = date(2028, 7, 28)  # Friday
NOW = date(2027, 10, 20)
EARLY = date(2027, 9, 20)  # before the workshops


@pytest.fixture
def world(make, app):
    cohort = make.running_cohort(programme_start=START, programme_end=END)
    awards = [make.award(cohort=cohort) for _ in range(3)]
    staff = make.user(Role.STAFF)
    return cohort, awards, staff


def details(first: date, last: date | None = None) -> services.WorkshopDetails:
    return services.WorkshopDetails(
        venue="Lakeside Centre",
        address="1 Shore Road, Windermere",
        starts_on=first,
        ends_on=last or first + timedelta(days=1),
        arrival_time=time(9, 30),
        departure_time=time(16, 0),
    )


def load(world):
    cohort, awards, staff = world
    return (
        db.session.get(Cohort, cohort.id),
        [db.session.get(Award, a.id) for a in awards],
        db.session.get(User, staff.id),
    )


def audit_count(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEntry.action == action))


# Setting up workshops ------------------------------------------------------------------


def test_a_workshop_may_start_on_the_first_day_and_end_on_the_last(world, ctx):
    cohort, _, staff = load(world)
    first = services.save_workshop(cohort, staff, details(START))
    last = services.save_workshop(cohort, staff, details(END - timedelta(days=1), END))
    assert (first.number, last.number) == (1, 2)
    assert audit_count("residentials.workshop_created") == 2


@pytest.mark.parametrize(
    "first,last",
    [(START - timedelta(days=3), START - timedelta(days=2)), (END, END + timedelta(days=3))],
    ids=["before the start", "past the end"],
)
def test_a_workshop_outside_the_programme_is_refused(world, ctx, first, last):
    cohort, _, staff = load(world)
    with pytest.raises(ResidentialError, match="inside the programme year"):
        services.save_workshop(cohort, staff, details(first, last))
    assert db.session.scalar(select(func.count(Workshop.id))) == 0


def test_weekends_and_bank_holidays_are_refused(world, ctx):
    cohort, _, staff = load(world)
    with pytest.raises(ResidentialError, match="Saturday"):
        services.save_workshop(cohort, staff, details(date(2027, 9, 10), date(2027, 9, 11)))
    with pytest.raises(ResidentialError, match="bank holiday"):
        services.save_workshop(cohort, staff, details(date(2027, 12, 27), date(2027, 12, 28)))


def test_overlapping_workshops_are_refused_even_by_one_day(world, ctx):
    cohort, _, staff = load(world)
    services.save_workshop(cohort, staff, details(date(2027, 10, 4)))  # Mon-Tue
    with pytest.raises(ResidentialError, match="overlap residential workshop 1"):
        services.save_workshop(cohort, staff, details(date(2027, 10, 5)))  # Tue-Wed
    services.save_workshop(cohort, staff, details(date(2027, 10, 6)))  # Wed-Thu: next to it


def test_the_cohorts_residential_days_are_the_limit(world, ctx):
    cohort, _, staff = load(world)
    for first in (date(2027, 10, 4), date(2028, 1, 10), date(2028, 4, 10)):
        services.save_workshop(cohort, staff, details(first))  # 6 days: exactly the limit
    assert services.workshop_count(cohort) == 3
    with pytest.raises(ResidentialError, match="add up to 7 days"):
        services.save_workshop(cohort, staff, details(date(2028, 6, 5), date(2028, 6, 5)))


def test_only_staff_set_up_workshops(world, ctx):
    cohort, awards, _ = load(world)
    with pytest.raises(ResidentialError):
        services.save_workshop(cohort, awards[0].holder, details(date(2027, 10, 4)))


def test_sessions_must_fall_on_a_workshop_day_and_end_after_they_start(world, ctx):
    cohort, _, staff = load(world)
    w = services.save_workshop(cohort, staff, details(date(2027, 10, 4)))
    ok = services.SessionDetails(date(2027, 10, 5), time(9, 30), time(10, 30), "Welcome")
    services.add_session(w, staff, ok)
    with pytest.raises(ResidentialError, match="workshop's days"):
        services.add_session(
            w, staff, services.SessionDetails(date(2027, 10, 6), time(9), time(10), "Late")
        )
    with pytest.raises(ResidentialError, match="end after"):
        services.add_session(
            w, staff, services.SessionDetails(date(2027, 10, 4), time(10), time(10), "Zero")
        )


# The register and the ledger -----------------------------------------------------------


def residential_rows(award_id: int) -> list[ReleaseDay]:
    return list(
        db.session.scalars(
            select(ReleaseDay)
            .where(ReleaseDay.award_id == award_id, ReleaseDay.kind == DayKind.RESIDENTIAL)
            .order_by(ReleaseDay.id)
        )
    )


@pytest.fixture
def workshop(world, ctx):
    cohort, awards, staff = load(world)
    w = services.save_workshop(cohort, staff, details(date(2027, 10, 4)))
    db.session.commit()
    return w, awards, staff


def test_present_is_a_day_taken_absent_no_day_and_a_correction_takes_it_back(workshop):
    w, (a, b, _c), staff = workshop
    day = w.starts_on
    changed = services.save_register(
        w, day, staff, {a.id: Mark.PRESENT, b.id: Mark.ABSENT}, {a.id: None, b.id: None}, NOW
    )
    assert changed == 2
    [row] = residential_rows(a.id)
    assert (row.day, row.status, row.half_days) == (day, DayStatus.TAKEN, 2)
    assert residential_rows(b.id) == []
    assert audit_count("residentials.register_saved") == 1
    assert audit_count("release.residential_recorded") == 0  # one entry for the save

    services.save_register(w, day, staff, {a.id: Mark.ABSENT}, {a.id: Mark.PRESENT}, NOW)
    assert [r.status for r in residential_rows(a.id)] == [DayStatus.CANCELLED]
    assert ledger.balance(a)[DayKind.RESIDENTIAL].taken == 0
    services.save_register(w, day, staff, {a.id: Mark.PRESENT}, {a.id: Mark.ABSENT}, NOW)
    assert [r.status for r in residential_rows(a.id)] == [DayStatus.CANCELLED, DayStatus.TAKEN]
    assert ledger.balance(a)[DayKind.RESIDENTIAL].taken == 1
    assert audit_count("residentials.register_saved") == 3


def test_marking_on_the_day_itself_counts_as_taken(workshop):
    w, (a, *_), staff = workshop
    services.save_register(w, w.starts_on, staff, {a.id: Mark.PRESENT}, {}, w.starts_on)
    assert residential_rows(a.id)[0].status == DayStatus.TAKEN


def test_saving_the_same_marks_again_changes_nothing(workshop):
    w, (a, *_), staff = workshop
    services.save_register(w, w.starts_on, staff, {a.id: Mark.PRESENT}, {}, NOW)
    assert services.save_register(w, w.starts_on, staff, {a.id: Mark.PRESENT}, {}, NOW) == 0
    assert len(residential_rows(a.id)) == 1
    assert audit_count("residentials.register_saved") == 1


def test_someone_not_in_the_cohort_changes_nothing(workshop, make):
    w, (a, *_), staff = workshop
    stranger = make.award(cohort=make.running_cohort())
    with pytest.raises(ResidentialError, match="not an award holder of cohort"):
        services.save_register(
            w, w.starts_on, staff, {a.id: Mark.PRESENT, stranger.id: Mark.PRESENT}, {}, NOW
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(Attendance.id))) == 0
    assert residential_rows(a.id) == []


@pytest.mark.parametrize("offset", [-1, 2], ids=["the day before", "the day after"])
def test_a_date_that_is_not_a_workshop_day_changes_nothing(workshop, offset):
    w, (a, *_), staff = workshop
    with pytest.raises(ResidentialError, match="is not a day of residential workshop 1"):
        services.save_register(
            w, w.starts_on + timedelta(days=offset), staff, {a.id: Mark.PRESENT}, {}, NOW
        )
    assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_a_mark_changed_by_someone_else_refuses_the_whole_save(workshop):
    w, (a, b, _), staff = workshop
    services.save_register(w, w.starts_on, staff, {a.id: Mark.PRESENT}, {}, NOW)
    db.session.commit()
    with pytest.raises(RegisterChanged, match="changed by someone else"):
        # this page showed a as unmarked
        services.save_register(
            w,
            w.starts_on,
            staff,
            {b.id: Mark.PRESENT, a.id: Mark.ABSENT},
            {b.id: None, a.id: None},
            NOW,
        )
    db.session.rollback()
    assert residential_rows(b.id) == []
    assert residential_rows(a.id)[0].status == DayStatus.TAKEN


def test_present_and_absent_wait_for_the_day_but_apologies_do_not(workshop):
    w, (a, b, _), staff = workshop
    before = w.starts_on - timedelta(days=1)
    with pytest.raises(ResidentialError, match="from 4 October 2027"):
        services.save_register(w, w.starts_on, staff, {a.id: Mark.PRESENT}, {}, before)
    services.save_register(w, w.starts_on, staff, {b.id: Mark.APOLOGIES}, {}, before)
    assert residential_rows(b.id) == []


def test_mark_all_present_leaves_marks_already_given(workshop):
    w, (a, b, c), staff = workshop
    services.save_register(w, w.starts_on, staff, {b.id: Mark.APOLOGIES}, {}, NOW)
    assert services.mark_all_present(w, w.starts_on, staff, NOW) == 2
    marks = {r.award_id: r.mark for r in db.session.scalars(select(Attendance))}
    assert marks == {a.id: Mark.PRESENT, b.id: Mark.APOLOGIES, c.id: Mark.PRESENT}
    assert services.mark_all_present(w, w.starts_on, staff, NOW) == 0


def test_a_day_recorded_by_hand_is_used_not_repeated(workshop):
    w, (a, *_), staff = workshop
    ledger.record_residential(a, staff, w.starts_on, half_day=False, today=NOW)
    services.save_register(w, w.starts_on, staff, {a.id: Mark.PRESENT}, {}, NOW)
    assert len(residential_rows(a.id)) == 1


def test_a_study_day_on_the_date_refuses_with_the_persons_name(workshop):
    w, (a, *_), staff = workshop
    db.session.add(
        ReleaseDay(award_id=a.id, day=w.starts_on, kind=DayKind.STUDY, status=DayStatus.TAKEN)
    )
    db.session.flush()
    with pytest.raises(ResidentialError, match=f"{a.holder.name} has a study day"):
        services.save_register(w, w.starts_on, staff, {a.id: Mark.PRESENT}, {}, NOW)


def test_the_ledgers_residential_limit_still_holds(workshop):
    w, (a, *_), staff = workshop
    award = db.session.get(Award, a.id)
    award.residential_days = 1
    services.save_register(w, w.starts_on, staff, {a.id: Mark.PRESENT}, {}, NOW)
    with pytest.raises(ResidentialError, match="would pass the 1 residential days"):
        services.save_register(w, w.ends_on, staff, {a.id: Mark.PRESENT}, {}, NOW)


# Registration, apologies, needs -----------------------------------------------------------


def test_needs_are_stored_but_never_copied_into_the_audit_log(workshop):
    w, (a, *_), _ = workshop
    holder = db.session.get(User, a.holder_id)
    services.register_for(
        w, a, holder, services.RegistrationDetails(True, "", "Coeliac", "Step-free room"), EARLY
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action.like("residentials.reg%")))
    assert "Coeliac" not in str(entry.changes) + entry.summary
    assert entry.changes == {"attending": [None, True], "needs": [None, True]}


def test_a_holder_replies_only_for_themselves_and_not_after_the_workshop(workshop):
    w, (a, b, _), _ = workshop
    other = db.session.get(User, b.holder_id)
    with pytest.raises(ResidentialError, match="your own place"):
        services.register_for(w, a, other, services.RegistrationDetails(True), EARLY)
    holder = db.session.get(User, a.holder_id)
    services.register_for(w, a, holder, services.RegistrationDetails(True), w.ends_on)
    with pytest.raises(ResidentialError, match="finished"):
        services.register_for(
            w, a, holder, services.RegistrationDetails(True), w.ends_on + timedelta(days=1)
        )


def test_apologies_need_a_reason_a_day_to_come_and_no_register_yet(workshop):
    w, (a, b, _), staff = workshop
    holder = db.session.get(User, a.holder_id)
    with pytest.raises(ResidentialError, match="reason"):
        services.send_apologies(w, a, holder, w.starts_on, "  ", w.starts_on)
    with pytest.raises(ResidentialError, match="passed"):
        services.send_apologies(w, a, holder, w.starts_on, "Ill", w.ends_on)
    services.send_apologies(w, a, holder, w.starts_on, "Bereavement", w.starts_on)
    services.save_register(w, w.ends_on, staff, {a.id: Mark.ABSENT}, {}, w.ends_on)
    with pytest.raises(ResidentialError, match="register for this day has been taken"):
        services.send_apologies(w, a, holder, w.ends_on, "Ill", w.ends_on)


def test_needs_are_cleared_thirty_days_after_the_workshop_and_audited(workshop):
    w, (a, *_), _ = workshop
    holder = db.session.get(User, a.holder_id)
    services.register_for(w, a, holder, services.RegistrationDetails(True, "", "Vegan"), EARLY)
    assert services.clear_needs(w.ends_on + timedelta(days=30)) == 0  # exactly 30: kept
    assert services.clear_needs(w.ends_on + timedelta(days=31)) == 1
    reg = db.session.scalar(select(Registration))
    assert (reg.dietary, reg.attending, reg.needs_cleared_at is not None) == ("", True, True)
    assert audit_count("residentials.needs_cleared") == 1
    assert services.clear_needs(w.ends_on + timedelta(days=90)) == 0  # once


def test_the_clearing_command(app, make, world, monkeypatch):
    cohort, awards, staff = world
    with app.app_context():
        c, (a, *_), s = load(world)
        w = services.save_workshop(c, s, details(date(2027, 10, 4)))
        holder = db.session.get(User, a.holder_id)
        services.register_for(
            w, a, holder, services.RegistrationDetails(True, "Ground floor"), EARLY
        )
        db.session.commit()
    monkeypatch.setitem(app.config, "FROZEN_TODAY", date(2027, 11, 5))
    result = app.test_cli_runner().invoke(args=["clear-residential-needs"])
    assert "Cleared the needs of 1 registration(s)." in result.output
    with app.app_context():
        assert db.session.scalar(select(Registration.accommodation)) == ""


# Journeys over HTTP -------------------------------------------------------------------


def _past_workshop_dates(app) -> date:
    with app.app_context():
        return monday_after(today() - timedelta(days=60), Nation.ENGLAND_AND_WALES)


def _date_fields(name: str, d: date) -> dict:
    return {f"{name}-day": d.day, f"{name}-month": d.month, f"{name}-year": d.year}


def test_staff_set_up_a_workshop_and_its_timetable_which_the_cohort_sees(app, make, browser):
    cohort = make.running_cohort()
    award = make.award(cohort=cohort)
    outsider = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    first = _past_workshop_dates(app)
    browser.sign_in(staff.email)
    url = f"/residentials/cohorts/{cohort.id}/new"
    form = {
        "venue": "Lakeside Centre",
        "address": "1 Shore Road",
        **_date_fields("starts_on", first),
        **_date_fields("ends_on", first + timedelta(days=5)),  # Saturday
        "arrival_time": "9.30",
        "departure_time": "16:00",
    }
    page = text(browser.get(url))
    assert 'name="arrival_time"' in page and 'name="departure_time"' in page
    resp = browser.post(url, form)
    assert resp.status_code == 200 and "There is a problem" in text(resp)
    assert "is not a working day (Saturday)" in text(resp)
    resp = browser.post(url, {**form, "arrival_time": "25:00"})
    assert "Arrival time must be a time like 09:30" in text(resp)
    resp = browser.post(url, {**form, **_date_fields("ends_on", first + timedelta(days=1))})
    assert resp.status_code == 302
    with app.app_context():
        w = db.session.scalar(select(Workshop))
        assert (w.starts_on, w.arrival_time) == (first, time(9, 30))
    resp = browser.post(
        f"/residentials/workshops/{w.id}/sessions/new",
        {
            "day": first.isoformat(),
            "starts_at": "10:00",
            "ends_at": "11:00",
            "title": "Writing a research question",
            "speaker": "Dr Ada Visitor, University of Lancaster",
            "room": "Windermere room",
        },
    )
    assert resp.status_code == 302

    holder = make.reload(User, award.holder_id)
    b = type(browser)(app.test_client())
    b.sign_in(holder.email)
    page = text(b.get(f"/residentials/workshops/{w.id}"))
    assert "Writing a research question" in page and "Dr Ada Visitor" in page
    assert "Replies and needs" not in page
    assert "Residential workshop 1" in text(b.get("/residentials/mine"))

    other = make.reload(User, outsider.holder_id)
    c = type(browser)(app.test_client())
    c.sign_in(other.email)
    assert c.get(f"/residentials/workshops/{w.id}").status_code == 404
    assert c.get(f"/residentials/workshops/{w.id}/reply").status_code == 404


def _workshop_with_holders(app, make, n=2):
    cohort = make.running_cohort()
    awards = [make.award(cohort=cohort) for _ in range(n)]
    staff = make.user(Role.STAFF)
    first = _past_workshop_dates(app)
    with app.app_context():
        w = services.save_workshop(
            db.session.get(Cohort, cohort.id), db.session.get(User, staff.id), details(first)
        )
        db.session.commit()
        return w.id, first, awards, staff


def test_a_holder_replies_and_only_staff_see_their_needs(app, make, browser):
    workshop_id, first, (a, b), staff = _workshop_with_holders(app, make)
    with app.app_context():
        # the workshop is still to come for this journey
        w = db.session.get(Workshop, workshop_id)
        w.starts_on, w.ends_on = today() + timedelta(days=7), today() + timedelta(days=8)
        db.session.commit()
    holder = make.reload(User, a.holder_id)
    browser.sign_in(holder.email)
    url = f"/residentials/workshops/{workshop_id}/reply"
    assert "Select whether you will attend" in text(browser.post(url, {}))
    resp = browser.post(url, {"attending": "yes", "dietary": "Coeliac", "access": "Lift"})
    assert resp.status_code == 302
    assert "You replied that you will attend" in text(browser.get(resp.headers["Location"]))

    other = make.reload(User, b.holder_id)
    ob = type(browser)(app.test_client())
    ob.sign_in(other.email)
    assert "Coeliac" not in text(ob.get(f"/residentials/workshops/{workshop_id}"))

    sb = type(browser)(app.test_client())
    sb.sign_in(staff.email)
    page = text(sb.get(f"/residentials/workshops/{workshop_id}"))
    assert "Coeliac" in page and "Attending" in page


def test_the_register_flows_into_the_ledger_and_is_corrected(app, make, browser):
    workshop_id, first, (a, b), staff = _workshop_with_holders(app, make)
    browser.sign_in(staff.email)
    url = f"/residentials/workshops/{workshop_id}/register/{first.isoformat()}"
    page = text(browser.get(url))
    assert "Register for" in page and "Mark everyone not yet marked as present" in page
    resp = browser.post(url + "/all-present", token_from=url, follow_redirects=True)
    assert "2 people marked present." in text(resp)
    with app.app_context():
        assert [r.status for r in residential_rows(a.id)] == [DayStatus.TAKEN]

    # a correction: b was not there after all
    resp = browser.post(
        url,
        {f"mark-{a.id}": "present", f"seen-{a.id}": "present"}
        | {f"mark-{b.id}": "absent", f"seen-{b.id}": "present"},
        follow_redirects=True,
    )
    assert "Register saved. 1 mark changed." in text(resp)
    with app.app_context():
        assert [r.status for r in residential_rows(b.id)] == [DayStatus.CANCELLED]
        assert [r.status for r in residential_rows(a.id)] == [DayStatus.TAKEN]

    # the holder sees it in their ledger and on the workshop
    holder = make.reload(User, b.holder_id)
    hb = type(browser)(app.test_client())
    hb.sign_in(holder.email)
    assert "Absent" in text(hb.get(f"/residentials/workshops/{workshop_id}"))

    # a stranger's mark and a mark the page did not show: a message, nothing changed
    stranger = make.award(cohort=make.running_cohort())
    resp = browser.post(url, {f"mark-{stranger.id}": "present", f"mark-{b.id}": "present"})
    assert resp.status_code == 200 and "is not an award holder of cohort" in text(resp)
    resp = browser.post(url, {f"mark-{b.id}": "present", f"seen-{b.id}": ""})
    assert "changed by someone else" in text(resp)
    resp = browser.post(url, {f"mark-{b.id}": "late"})
    assert "Select present, absent or apologies" in text(resp)
    with app.app_context():
        assert [r.status for r in residential_rows(b.id)] == [DayStatus.CANCELLED]
        assert residential_rows(stranger.id) == []

    # a date that is not a day of the workshop
    assert browser.get(url.replace(first.isoformat(), "2020-01-01")).status_code == 404
    assert browser.get(url.replace(first.isoformat(), "not-a-date")).status_code == 404


def test_the_attendance_csv_has_a_row_per_person_and_day(app, make, browser):
    workshop_id, first, (a, b), staff = _workshop_with_holders(app, make)
    with app.app_context():
        w = db.session.get(Workshop, workshop_id)
        s = db.session.get(User, staff.id)
        services.save_register(w, first, s, {a.id: Mark.PRESENT}, {}, first)
        db.session.commit()
        name_a = db.session.get(User, a.holder_id).name
    browser.sign_in(staff.email)
    resp = browser.get(f"/residentials/workshops/{workshop_id}/attendance.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    lines = resp.get_data(as_text=True).splitlines()
    assert lines[0].startswith("Cohort,Workshop,Date,Award holder")
    assert len(lines) == 1 + 2 * 2
    assert any(name_a in line and first.isoformat() in line and "Present" in line for line in lines)
    assert sum("Not marked" in line for line in lines) == 3


def test_workshops_are_in_the_holders_calendar_feed_once(app, make, browser):
    from tests.test_calendar import events, make_address

    workshop_id, first, (a, _b), staff = _workshop_with_holders(app, make)
    with app.app_context():
        w = db.session.get(Workshop, workshop_id)
        services.save_register(
            w, first, db.session.get(User, staff.id), {a.id: Mark.PRESENT}, {}, first
        )
        db.session.commit()
    holder = make.reload(User, a.holder_id)
    browser.sign_in(holder.email)
    path = make_address(browser)
    found = events(browser.get(path))
    assert list(found) == [f"workshop-{workshop_id}@localhost"]  # not also the ledger day
    event = found[f"workshop-{workshop_id}@localhost"]
    assert str(event["SUMMARY"]) == "Residential workshop 1"
    assert str(event["LOCATION"]) == "Lakeside Centre, 1 Shore Road, Windermere"
    assert event.decoded("DTSTART") == first
    assert event.decoded("DTEND") == first + timedelta(days=2)


def test_staff_change_a_workshop_and_remove_a_session(app, make, browser):
    workshop_id, first, _awards, staff = _workshop_with_holders(app, make)
    with app.app_context():
        w = db.session.get(Workshop, workshop_id)
        session = services.add_session(
            w,
            db.session.get(User, staff.id),
            services.SessionDetails(first, time(10), time(11), "Welcome"),
        )
        db.session.commit()
        session_id = session.id
    browser.sign_in(staff.email)
    url = f"/residentials/workshops/{workshop_id}/edit"
    page = text(browser.get(url))
    assert 'value="Lakeside Centre"' in page and 'value="09:30"' in page
    resp = browser.post(
        url,
        {
            "venue": "Hilltop House",
            "address": "2 High Street",
            **_date_fields("starts_on", first),
            **_date_fields("ends_on", first + timedelta(days=1)),
            "arrival_time": "10:00",
            "departure_time": "15:30",
        },
    )
    assert resp.status_code == 302
    resp = browser.post(
        f"/residentials/sessions/{session_id}/remove",
        token_from=f"/residentials/workshops/{workshop_id}",
        follow_redirects=True,
    )
    assert "'Welcome' removed from the timetable." in text(resp)
    with app.app_context():
        w = db.session.get(Workshop, workshop_id)
        assert (w.venue, w.departure_time, w.sessions) == ("Hilltop House", time(15, 30), [])
        assert audit_count("residentials.workshop_changed") == 1
        assert audit_count("residentials.session_removed") == 1
