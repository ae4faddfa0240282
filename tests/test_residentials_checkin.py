"""QR check-in: the rules (only on the day, only the cohort's award holders, staff marks
stand, apologies the holder sent give way, a staff correction clears "by QR") and the
journey over HTTP, with forged, expired, other-day and other-cohort codes changing nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.core.audit import AuditEntry
from app.extensions import db
from app.release.models import DayStatus
from app.residentials import register, services, tokens
from app.residentials.models import Attendance, Mark, Workshop
from app.residentials.services import ResidentialError
from tests.helpers import text
from tests.test_residentials import _workshop_with_holders, residential_rows


@pytest.fixture
def setting(app, make):
    workshop_id, first, awards, staff = _workshop_with_holders(app, make)
    return workshop_id, first, awards, staff


def _load(setting):
    workshop_id, first, awards, staff = setting
    return (
        db.session.get(Workshop, workshop_id),
        first,
        [db.session.get(Award, a.id) for a in awards],
        db.session.get(User, staff.id),
    )


def _marks() -> dict[int, Attendance]:
    return {a.award_id: a for a in db.session.scalars(select(Attendance))}


def test_checking_in_marks_present_through_the_register_and_the_ledger(setting, ctx):
    w, day, (a, _b), staff = _load(setting)
    row = register.check_in(w, day, a, a.holder, staff, day)
    assert (row.mark, row.by_qr, row.marked_by_id) == (Mark.PRESENT, True, a.holder_id)
    [taken] = residential_rows(a.id)
    assert (taken.day, taken.status, taken.requested_by_id) == (day, DayStatus.TAKEN, staff.id)
    assert db.session.scalar(
        select(func.count()).where(AuditEntry.action == "residentials.checked_in")
    )


def test_checking_in_twice_changes_nothing(setting, ctx):
    w, day, (a, _b), staff = _load(setting)
    register.check_in(w, day, a, a.holder, staff, day)
    with pytest.raises(ResidentialError, match="already signed in"):
        register.check_in(w, day, a, a.holder, staff, day)
    assert len(residential_rows(a.id)) == 1


def test_a_staff_mark_stands_but_the_holders_own_apologies_give_way(setting, ctx):
    w, day, (a, b), staff = _load(setting)
    services.save_register(w, day, staff, {a.id: Mark.ABSENT}, {}, day)
    with pytest.raises(ResidentialError, match="marked you absent"):
        register.check_in(w, day, a, a.holder, staff, day)
    assert _marks()[a.id].mark == Mark.ABSENT
    services.send_apologies(w, b, b.holder, day, "Train cancelled", day)
    register.check_in(w, day, b, b.holder, staff, day)
    assert _marks()[b.id].mark == Mark.PRESENT


def test_a_staff_correction_overrules_the_code(setting, ctx):
    w, day, (a, _b), staff = _load(setting)
    register.check_in(w, day, a, a.holder, staff, day)
    services.save_register(w, day, staff, {a.id: Mark.ABSENT}, {a.id: Mark.PRESENT}, day)
    row = _marks()[a.id]
    assert (row.mark, row.by_qr) == (Mark.ABSENT, False)
    assert [r.status for r in residential_rows(a.id)] == [DayStatus.CANCELLED]


@pytest.mark.parametrize(
    "offset,message",
    [(1, "has expired"), (-1, "You can check in with it on that day")],
    ids=["the day after", "the day before"],
)
def test_the_code_works_only_on_its_day(setting, ctx, offset, message):
    w, day, (a, _b), staff = _load(setting)
    with pytest.raises(ResidentialError, match=message):
        register.check_in(w, day, a, a.holder, staff, day + timedelta(days=offset))
    assert _marks() == {}


@pytest.fixture
def outsider(make):
    return make.award(cohort=make.running_cohort())


def test_the_code_is_for_the_cohorts_award_holders_and_needs_staff_behind_it(
    setting, outsider, ctx
):
    w, day, (a, _b), staff = _load(setting)
    stranger = db.session.get(Award, outsider.id)
    with pytest.raises(ResidentialError, match="not an award holder of that cohort"):
        register.check_in(w, day, stranger, stranger.holder, staff, day)
    with pytest.raises(ResidentialError, match="not valid"):
        register.check_in(w, day, a, a.holder, a.holder, day)  # "shown" by a non-staff user
    assert _marks() == {}


# Over HTTP ------------------------------------------------------------------------------


def _code_url(browser, workshop_id, day) -> str:
    page = text(browser.get(f"/residentials/workshops/{workshop_id}/check-in/{day.isoformat()}"))
    assert "<svg" in page and "QR code for checking in" in page
    return re.search(r"https?://[^/\s]+(/residentials/check-in/[^\s<\"]+)", page).group(1)


def test_a_holder_scans_the_code_and_the_register_says_so(app, make, browser, monkeypatch):
    workshop_id, day, (a, _b), staff = _workshop_with_holders(app, make)
    monkeypatch.setitem(app.config, "FROZEN_TODAY", day)
    browser.sign_in(staff.email)
    url = _code_url(browser, workshop_id, day)

    holder = make.reload(User, a.holder_id)
    hb = type(browser)(app.test_client())
    resp = hb.get(url)
    assert resp.status_code == 302 and "/account/sign-in" in resp.headers["Location"]
    hb.sign_in(holder.email)
    assert "Check in to residential workshop 1" in text(hb.get(url))
    resp = hb.post(url, follow_redirects=True)
    assert "You are signed in for residential workshop 1 today" in text(resp)
    page = text(browser.get(f"/residentials/workshops/{workshop_id}/register/{day.isoformat()}"))
    assert "Checked in by QR code" in page
    with app.app_context():
        assert [r.status for r in residential_rows(a.id)] == [DayStatus.TAKEN]

    # again: a clear message, nothing changed
    resp = hb.post(url, token_from="/residentials/mine")
    assert resp.status_code == 400 and "already signed in" in text(resp)


def test_bad_codes_change_nothing(app, make, browser, monkeypatch):
    workshop_id, day, (a, _b), staff = _workshop_with_holders(app, make)
    outsider = make.award(cohort=make.running_cohort())
    monkeypatch.setitem(app.config, "FROZEN_TODAY", day)
    browser.sign_in(staff.email)
    url = _code_url(browser, workshop_id, day)
    holder = make.reload(User, a.holder_id)
    hb = type(browser)(app.test_client())
    hb.sign_in(holder.email)
    mine = "/residentials/mine"

    forged = url[:-3] + ("abc" if not url.endswith("abc") else "xyz")
    with app.test_request_context():
        other_kind = "/residentials/check-in/" + tokens.invitation_token(1, 0)
    for bad in (forged, other_kind, "/residentials/check-in/not-a-code"):
        assert "not valid" in text(hb.get(bad))
        resp = hb.post(bad, token_from=mine)
        assert resp.status_code == 400 and "not valid" in text(resp)

    monkeypatch.setitem(app.config, "FROZEN_TODAY", day + timedelta(days=1))
    assert "has expired" in text(hb.post(url, token_from=mine))
    monkeypatch.setitem(app.config, "FROZEN_TODAY", day - timedelta(days=3))
    assert "You can check in with it on that day" in text(hb.post(url, token_from=mine))

    monkeypatch.setitem(app.config, "FROZEN_TODAY", day)
    ob = type(browser)(app.test_client())
    ob.sign_in(make.reload(User, outsider.holder_id).email)
    resp = ob.post(url, token_from=mine)
    assert resp.status_code == 400 and "not an award holder of that cohort" in text(resp)
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id))) == 0
        assert residential_rows(a.id) == []
