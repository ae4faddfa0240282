"""The release ledger through HTTP: an award holder plans, cancels and confirms study days;
their line manager (or a delegate) approves and declines; everyone else sees nothing.

Today is frozen at Monday 11 January 2027, in a programme running from 1 September 2026
to 31 July 2027, for an employer in England (Good Friday is 26 March 2027, Easter Monday
29 March 2027).
"""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from app.release.models import DayStatus, Delegation, ReleaseDay
from tests.helpers import last_email, link_in, text

TODAY = date(2027, 1, 11)  # a Monday
PROGRAMME = {
    "applications_open": date(2026, 3, 1),
    "applications_close": date(2026, 4, 30),
    "programme_start": date(2026, 9, 1),
    "programme_end": date(2027, 7, 31),
}


# --- helpers --------------------------------------------------------------------------


def parts(name: str, d: date | None = None, day="", month="", year="") -> dict:
    if d is not None:
        day, month, year = str(d.day), str(d.month), str(d.year)
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def one_day(d: date, **extra) -> dict:
    return {"how": "one", **parts("day", d), "length": "whole", "every": "1", **extra}


def date_range(start: date, end: date, **extra) -> dict:
    return {
        "how": "range",
        **parts("start", start),
        **parts("end", end),
        "length": "whole",
        "every": "1",
        **extra,
    }


def pattern(start: date, weeks: int, every: int = 1, **extra) -> dict:
    return {
        "how": "pattern",
        **parts("pattern_start", start),
        "weeks": str(weeks),
        "every": str(every),
        "length": "whole",
        **extra,
    }


def days_of(app, award_id: int) -> list[ReleaseDay]:
    with app.app_context():
        rows = db.session.scalars(
            select(ReleaseDay).where(ReleaseDay.award_id == award_id).order_by(ReleaseDay.day)
        ).all()
        for r in rows:
            db.session.expunge(r)
        return list(rows)


def ledger_state(app, award_id: int) -> list[tuple]:
    """Everything a refused action must leave alone."""
    return [
        (r.id, r.day, r.status, r.reason, r.decided_by_id, r.half_days)
        for r in days_of(app, award_id)
    ]


def emails(app, to: str, template: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.to_address == to, OutboxMessage.template == template
            )
        )


def freeze(app, monkeypatch, day: date) -> None:
    monkeypatch.setitem(app.config, "FROZEN_TODAY", day)


@pytest.fixture
def prog(make, app, monkeypatch):
    """An award holder, their line manager, a colleague manager and a stranger."""
    freeze(app, monkeypatch, TODAY)
    employer = make.org(name="Northshire County Council")
    holder = make.user(Role.APPLICANT, orgs=[employer], name="Priya Shah")
    manager = make.user(Role.LINE_MANAGER, orgs=[employer], name="Jordan Lee")
    colleague = make.user(Role.LINE_MANAGER, orgs=[employer], name="Sam Patel")
    stranger = make.user(Role.LINE_MANAGER, orgs=[make.org()], name="Kim Other")
    award = make.award(
        cohort=make.running_cohort(**PROGRAMME), employer=employer, holder=holder, manager=manager
    )
    return SimpleNamespace(
        award=award,
        holder=holder,
        manager=manager,
        colleague=colleague,
        stranger=stranger,
        employer=employer,
        ledger=f"/release/awards/{award.id}",
        ask=f"/release/awards/{award.id}/request",
    )


def ask(browser, prog, data, follow=True):
    return browser.post(prog.ask, data, follow_redirects=follow)


def booked(app, prog, *days: date, half=False) -> list[int]:
    """Request days as the holder through the service (quicker set-up than HTTP)."""
    from app.accounts.models import User
    from app.awards.models import Award
    from app.release import services

    with app.test_request_context():
        award = db.session.get(Award, prog.award.id)
        holder = db.session.get(User, prog.holder.id)
        rows, _ = services.request_days(
            award, holder, list(days), half_day=half, note="", today=TODAY
        )
        db.session.commit()
        return [r.id for r in rows]


def approved(app, prog, *days: date) -> list[int]:
    from app.accounts.models import User
    from app.release import services

    ids = booked(app, prog, *days)
    with app.test_request_context():
        manager = db.session.get(User, prog.manager.id)
        for i in ids:
            services.decide(
                db.session.get(ReleaseDay, i), manager, approve=True, reason="", today=TODAY
            )
        db.session.commit()
    return ids


def field_error(html: str, field_id: str) -> str:
    m = re.search(
        rf'<span class="nhsuk-error-message" id="{re.escape(field_id)}-error">\s*'
        r'<span class="nhsuk-u-visually-hidden">Error: </span>(.*?)</span>',
        html,
        re.S,
    )
    return " ".join(m.group(1).split()) if m else ""


# --- the award holder's page ----------------------------------------------------------


def test_holder_finds_their_ledger_from_nav_and_home(prog, browser):
    browser.sign_in(prog.holder.email)
    home = text(browser.get("/"))
    assert "Your research days" in home
    assert "30 days of your 30 study days left to plan" in home
    resp = browser.get("/release/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(prog.ledger)
    page = text(browser.get(prog.ledger))
    assert "<h1>Your research days</h1>" in page
    assert "Plan study days" in page
    assert "not planned any days yet" in page
    # the straight-line pace: 132 of 333 days gone, 36 days -> about 14.3 expected
    assert "You are 14.3 days behind a steady pace" in page


def test_award_holder_without_an_award_is_told_so(make, browser):
    user = make.user(Role.AWARD_HOLDER)
    browser.sign_in(user.email)
    assert "do not have an award" in text(browser.get("/release/"))


def test_request_one_day_emails_the_manager(prog, browser, app):
    browser.sign_in(prog.holder.email)
    page = text(ask(browser, prog, one_day(date(2027, 1, 14), note="Literature search")))
    assert "You have asked for 1 day" in page
    assert "Thursday 14 January 2027" in page
    assert "Jordan Lee has been emailed" in page
    [row] = days_of(app, prog.award.id)
    assert (row.day, row.status, row.note, row.retrospective) == (
        date(2027, 1, 14),
        DayStatus.REQUESTED,
        "Literature search",
        False,
    )
    mail = last_email(app, prog.manager.email)
    assert "Priya Shah has asked for 1 day" in mail.subject
    assert "Thursday 14 January 2027" in mail.body and "Literature search" in mail.body
    assert link_in(mail.body, "/release/approvals") == "/release/approvals"
    # the banner is shown once
    assert "You have asked for" not in text(browser.get(prog.ledger))
    with app.app_context():
        assert db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "release.requested")
        )


def test_range_skips_weekend_and_names_the_bank_holidays(prog, browser, app):
    browser.sign_in(prog.holder.email)
    page = text(ask(browser, prog, date_range(date(2027, 3, 25), date(2027, 3, 30))))
    assert [r.day for r in days_of(app, prog.award.id)] == [date(2027, 3, 25), date(2027, 3, 30)]
    assert "You have asked for 2 days" in page
    assert "4 dates were skipped" in page
    for line in (
        "Friday 26 March 2027: bank holiday (Good Friday)",
        "Saturday 27 March 2027: Saturday",
        "Sunday 28 March 2027: Sunday",
        "Monday 29 March 2027: bank holiday (Easter Monday)",
    ):
        assert line in page


def test_half_days_count_as_half(prog, browser, app):
    browser.sign_in(prog.holder.email)
    ask(browser, prog, date_range(date(2027, 2, 1), date(2027, 2, 2), length="half"))
    assert [r.half_days for r in days_of(app, prog.award.id)] == [1, 1]
    page = text(browser.get(prog.ledger))
    assert "Half day" in page
    assert re.search(r"Waiting for approval</th>\s*<td[^>]*>1</td>", page)


def test_recurring_pattern_every_week_and_every_two_weeks(prog, browser, app):
    browser.sign_in(prog.holder.email)
    page = text(ask(browser, prog, pattern(date(2027, 1, 14), 10)))
    days = [r.day for r in days_of(app, prog.award.id)]
    assert len(days) == 10 and all(d.weekday() == 3 for d in days)
    assert days[-1] == date(2027, 3, 18)
    assert "You have asked for 10 days" in page
    ask(browser, prog, pattern(date(2027, 4, 6), 3, every=2))
    assert [r.day for r in days_of(app, prog.award.id)][10:] == [
        date(2027, 4, 6),
        date(2027, 4, 20),
        date(2027, 5, 4),
    ]


def test_pattern_skips_a_bank_holiday_and_says_so(prog, browser, app):
    browser.sign_in(prog.holder.email)
    page = text(ask(browser, prog, pattern(date(2027, 3, 22), 3)))
    assert [r.day for r in days_of(app, prog.award.id)] == [date(2027, 3, 22), date(2027, 4, 5)]
    assert "Monday 29 March 2027: bank holiday (Easter Monday)" in page


def test_request_past_the_entitlement_is_refused_saying_by_how_much(
    make, app, browser, monkeypatch
):
    freeze(app, monkeypatch, TODAY)
    award = make.award(cohort=make.running_cohort(study_days=3, **PROGRAMME))
    with app.app_context():
        from app.awards.models import Award

        email = db.session.get(Award, award.id).holder.email
    browser.sign_in(email)
    url = f"/release/awards/{award.id}/request"
    resp = browser.post(url, date_range(date(2027, 2, 1), date(2027, 2, 5)))
    assert resp.status_code == 200
    page = text(resp)
    assert "This would take you 2 days past your 3 study days" in page
    assert "You have 3 days left to request" in page
    assert days_of(app, award.id) == []


def test_a_date_cannot_be_booked_twice(prog, browser, app):
    browser.sign_in(prog.holder.email)
    ask(browser, prog, one_day(date(2027, 1, 14)))
    before = ledger_state(app, prog.award.id)
    resp = ask(browser, prog, one_day(date(2027, 1, 14)), follow=False)
    assert resp.status_code == 200
    assert "already in your ledger" in text(resp)
    assert ledger_state(app, prog.award.id) == before
    # a range over it books the others and says why it skipped that one
    page = text(ask(browser, prog, date_range(date(2027, 1, 13), date(2027, 1, 15))))
    assert "Thursday 14 January 2027: already in your ledger" in page
    assert len(days_of(app, prog.award.id)) == 3


def test_a_past_day_is_recorded_afterwards_and_still_needs_approval(prog, browser, app):
    browser.sign_in(prog.holder.email)
    ask(browser, prog, one_day(date(2027, 1, 6)))
    [row] = days_of(app, prog.award.id)
    assert row.retrospective and row.status == DayStatus.REQUESTED
    assert "Recorded afterwards" in text(browser.get(prog.ledger))
    assert "already passed: recorded afterwards" in last_email(app, prog.manager.email).body


@pytest.mark.parametrize(
    "data,field,message",
    [
        (
            date_range(date(2027, 2, 5), date(2027, 2, 1)),
            "end",
            "The last day must be the same as or after the first day",
        ),
        (
            {**one_day(date(2027, 1, 14)), **parts("day", day="31", month="2", year="2027")},
            "day",
            "Date must be a real date",
        ),
        (
            {**one_day(date(2027, 1, 14)), **parts("day", day="14", month="1", year="27")},
            "day",
            "Date year must include 4 numbers",
        ),
        (one_day(date(2027, 1, 14), **{"day-day": ""}), "day", "Date must include a day"),
        (pattern(date(2027, 1, 16), 3), "pattern_start", "None of those dates can be booked"),
        (pattern(date(2027, 1, 14), 0), "weeks", "Enter a number of weeks from 1 to 52"),
        (
            one_day(date(2027, 8, 2)),
            "day",
            "Date must be between 1 September 2026 and 31 July 2027, the programme dates",
        ),
        (
            date_range(date(2026, 8, 20), date(2026, 9, 4)),
            "start",
            "First day must be between 1 September 2026",
        ),
        ({"how": "", "length": "whole", "every": "1"}, "how", "Select how you want to plan"),
        (one_day(date(2027, 1, 16)), "day", "Sat 16 Jan 2027 is Saturday"),
    ],
    ids=[
        "reversed-range",
        "malformed",
        "two-digit-year",
        "missing-day",
        "no-working-days",
        "zero-weeks",
        "after-programme",
        "before-programme",
        "no-choice",
        "weekend",
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(prog, browser, app, data, field, message):
    browser.sign_in(prog.holder.email)
    resp = ask(browser, prog, data, follow=False)
    assert resp.status_code == 200
    page = text(resp)
    assert "There is a problem" in page
    assert message in field_error(page, field), page[:3000]
    assert days_of(app, prog.award.id) == []
    assert emails(app, prog.manager.email, "release_requested") == 0


def test_the_form_only_binds_its_own_fields(prog, browser, app):
    browser.sign_in(prog.holder.email)
    ask(
        browser,
        prog,
        one_day(date(2027, 1, 14), status="approved", kind="residential", award_id="999"),
    )
    [row] = days_of(app, prog.award.id)
    assert row.status == DayStatus.REQUESTED and row.kind.value == "study"


# --- the line manager -----------------------------------------------------------------


def test_manager_sees_own_staff_with_balance_and_pace_and_a_home_card(prog, browser, app):
    booked(app, prog, date(2027, 1, 14))
    browser.sign_in(prog.manager.email)
    assert "1 study day waiting for your approval" in text(browser.get("/"))
    page = text(browser.get("/release/approvals"))
    assert "Priya Shah" in page and "Thursday 14 January 2027" in page
    assert "Behind by 14.3 days" in page
    assert "0 approved or taken, 1 waiting, 29 still to plan, of 30" in page


def test_manager_approves_one_day_and_the_holder_is_emailed(prog, browser, app):
    first, second = booked(app, prog, date(2027, 1, 14), date(2027, 1, 21))
    browser.sign_in(prog.manager.email)
    page = text(
        browser.post(
            "/release/approvals", {"days": [str(first)], "action": "approve"}, follow_redirects=True
        )
    )
    assert "You approved 1 day for Priya Shah" in page
    rows = {r.id: r for r in days_of(app, prog.award.id)}
    assert rows[first].status == DayStatus.APPROVED
    assert rows[first].decided_by_id == prog.manager.id and rows[first].decided_for_id is None
    assert rows[second].status == DayStatus.REQUESTED
    mail = last_email(app, prog.holder.email)
    assert mail.template == "release_decided"
    assert "Thursday 14 January 2027: Approved" in mail.body
    assert link_in(mail.body, "/release/awards/") == prog.ledger


def test_bulk_decline_needs_a_reason_and_sends_one_email(prog, browser, app):
    ids = booked(app, prog, date(2027, 1, 14), date(2027, 1, 21), date(2027, 1, 28))
    browser.sign_in(prog.manager.email)
    before = ledger_state(app, prog.award.id)
    resp = browser.post(
        "/release/approvals", {"days": [str(i) for i in ids[:2]], "action": "decline"}
    )
    assert resp.status_code == 200
    assert "Give a reason for declining" in field_error(text(resp), "reason")
    assert ledger_state(app, prog.award.id) == before
    browser.post(
        "/release/approvals",
        {"days": [str(i) for i in ids[:2]], "action": "decline", "reason": "Inspection week"},
    )
    rows = {r.id: r for r in days_of(app, prog.award.id)}
    assert [rows[i].status for i in ids] == [
        DayStatus.DECLINED,
        DayStatus.DECLINED,
        DayStatus.REQUESTED,
    ]
    assert rows[ids[0]].reason == "Inspection week"
    assert emails(app, prog.holder.email, "release_decided") == 1
    page = text(browser.get(prog.ledger))
    assert "Declined by you" in page and "Inspection week" in page


def test_bulk_approval_across_two_holders_emails_each_once(prog, make, browser, app):
    other = make.award(
        cohort=make.running_cohort(**PROGRAMME), employer=prog.employer, manager=prog.manager
    )
    mine = booked(app, prog, date(2027, 1, 14), date(2027, 1, 21))
    with app.test_request_context():
        from app.awards.models import Award
        from app.release import services

        a = db.session.get(Award, other.id)
        theirs, _ = services.request_days(
            a, a.holder, [date(2027, 2, 3)], half_day=True, note="", today=TODAY
        )
        theirs_id, other_email = theirs[0].id, a.holder.email
        db.session.commit()
    browser.sign_in(prog.manager.email)
    page = text(
        browser.post(
            "/release/approvals",
            {"days": [str(i) for i in [*mine, theirs_id]], "action": "approve"},
            follow_redirects=True,
        )
    )
    assert re.search(r"You approved 2 days for Priya Shah and 0.5 days for [^.]+\. They have", page)
    assert emails(app, prog.holder.email, "release_decided") == 1
    assert emails(app, other_email, "release_decided") == 1


def test_nothing_selected_is_explained(prog, browser, app):
    booked(app, prog, date(2027, 1, 14))
    browser.sign_in(prog.manager.email)
    resp = browser.post("/release/approvals", {"action": "approve"})
    assert "Select the days you want to approve or decline" in text(resp)


def test_another_manager_cannot_see_or_decide(prog, browser, app):
    [day_id] = booked(app, prog, date(2027, 1, 14))
    before = ledger_state(app, prog.award.id)
    browser.sign_in(prog.stranger.email)
    page = text(browser.get("/release/approvals"))
    assert "Priya Shah" not in page and "There are no study days waiting" in page
    assert browser.get(prog.ledger).status_code == 404
    assert browser.get(f"/release/days/{day_id}/cancel").status_code == 404
    resp = browser.post("/release/approvals", {"days": [str(day_id)], "action": "approve"})
    assert "only decide study days for your own staff" in text(resp)
    assert (
        browser.post(
            f"/release/days/{day_id}/cancel", {"reason": "x"}, token_from="/release/approvals"
        ).status_code
        == 404
    )
    assert ledger_state(app, prog.award.id) == before
    assert emails(app, prog.holder.email, "release_decided") == 0


def test_a_colleague_in_the_same_team_is_not_the_manager(prog, browser, app):
    [day_id] = booked(app, prog, date(2027, 1, 14))
    browser.sign_in(prog.colleague.email)
    resp = browser.post("/release/approvals", {"days": [str(day_id)], "action": "approve"})
    assert "only decide study days for your own staff" in text(resp)
    assert days_of(app, prog.award.id)[0].status == DayStatus.REQUESTED


def test_approving_an_already_cancelled_day_is_refused(prog, browser, app):
    [day_id] = booked(app, prog, date(2027, 1, 14))
    browser.sign_in(prog.manager.email)
    token = browser.token("/release/approvals")  # the manager's page, before the cancel
    holder = browser.__class__(app.test_client())
    holder.sign_in(prog.holder.email)
    holder.post(f"/release/days/{day_id}/cancel", {})
    before = ledger_state(app, prog.award.id)
    assert before[0][2] == DayStatus.CANCELLED
    resp = browser.post(
        "/release/approvals", {"days": [str(day_id)], "action": "approve", "csrf_token": token}
    )
    page = text(resp)
    assert (
        "Thursday 14 January 2027 for Priya Shah: This day was cancelled by Priya Shah "
        "a moment ago, so it was not approved." in page
    )
    assert "Nothing was changed" in page
    assert ledger_state(app, prog.award.id) == before


def test_one_refused_day_stops_the_whole_bulk_decision(prog, browser, app):
    ids = booked(app, prog, date(2027, 1, 14), date(2027, 1, 21))
    from app.accounts.models import User
    from app.release import services

    with app.test_request_context():
        row = db.session.get(ReleaseDay, ids[1])
        services.cancel(row, db.session.get(User, prog.holder.id), reason="", today=TODAY)
        db.session.commit()
    before = ledger_state(app, prog.award.id)
    browser.sign_in(prog.manager.email)
    browser.post("/release/approvals", {"days": [str(i) for i in ids], "action": "approve"})
    assert ledger_state(app, prog.award.id) == before
    assert emails(app, prog.holder.email, "release_decided") == 0


# --- cancelling and confirming --------------------------------------------------------


def test_holder_cancels_an_approved_day_before_it_and_it_returns_to_the_balance(prog, browser, app):
    [day_id] = approved(app, prog, date(2027, 1, 14))
    browser.sign_in(prog.holder.email)
    page = text(browser.get(prog.ledger))
    assert re.search(r"Remaining</th>\s*<td[^>]*><strong>29</strong>", page)
    assert f"/release/days/{day_id}/cancel" in page
    page = text(browser.post(f"/release/days/{day_id}/cancel", {}, follow_redirects=True))
    assert "has been cancelled and returned to the balance" in page
    assert re.search(r"Remaining</th>\s*<td[^>]*><strong>30</strong>", page)
    assert days_of(app, prog.award.id)[0].status == DayStatus.CANCELLED
    mail = last_email(app, prog.manager.email)
    assert mail.template == "release_cancelled" and "Priya Shah" in mail.body


def test_holder_cannot_cancel_an_approved_day_once_it_has_come(prog, browser, app, monkeypatch):
    [day_id] = approved(app, prog, date(2027, 1, 14))
    freeze(app, monkeypatch, date(2027, 1, 15))
    browser.sign_in(prog.holder.email)
    page = text(browser.get(f"/release/days/{day_id}/cancel"))
    assert "cannot be cancelled" in page and "Cancel this day" not in page
    assert f"/release/days/{day_id}/cancel" not in text(browser.get(prog.ledger))
    before = ledger_state(app, prog.award.id)
    page = text(browser.post(f"/release/days/{day_id}/cancel", {}, follow_redirects=True))
    assert "Confirm whether you took it instead" in page
    assert ledger_state(app, prog.award.id) == before


def test_manager_cancels_an_approved_day_with_a_reason(prog, browser, app):
    [day_id] = approved(app, prog, date(2027, 1, 14))
    browser.sign_in(prog.manager.email)
    page = text(browser.get(prog.ledger))
    assert "Priya Shah's research days" in page and "Plan study days" not in page
    assert f"/release/days/{day_id}/cancel" in page
    resp = browser.post(f"/release/days/{day_id}/cancel", {"reason": "  "})
    assert "Give a reason for cancelling this day" in field_error(text(resp), "reason")
    assert days_of(app, prog.award.id)[0].status == DayStatus.APPROVED
    browser.post(f"/release/days/{day_id}/cancel", {"reason": "Court hearing moved"})
    [row] = days_of(app, prog.award.id)
    assert row.status == DayStatus.CANCELLED and row.reason == "Court hearing moved"
    assert row.cancelled_by_id == prog.manager.id
    mail = last_email(app, prog.holder.email)
    assert mail.template == "release_cancelled" and "Court hearing moved" in mail.body
    assert "Cancelled by you" in text(browser.get(prog.ledger))
    browser.sign_out()
    browser.sign_in(prog.holder.email)
    page = text(browser.get(prog.ledger))
    assert "Cancelled by Jordan Lee" in page and "Court hearing moved" in page


def test_confirm_taken_and_called_back(prog, browser, app):
    taken_id, called_id, future_id = approved(
        app, prog, date(2027, 1, 5), date(2027, 1, 7), date(2027, 1, 14)
    )
    browser.sign_in(prog.holder.email)
    assert "2 days to confirm" in text(browser.get("/"))
    page = text(browser.get(prog.ledger))
    assert "2 days</strong> to confirm" in page
    assert f"/release/days/{future_id}/confirm" not in page
    browser.post(f"/release/days/{taken_id}/confirm", {"outcome": "taken"})
    resp = browser.post(f"/release/days/{called_id}/confirm", {"outcome": "called_back"})
    assert "Say briefly why you were called back to work" in field_error(text(resp), "reason")
    page = text(
        browser.post(
            f"/release/days/{called_id}/confirm",
            {"outcome": "called_back", "reason": "Covering duty"},
            follow_redirects=True,
        )
    )
    assert "returned to your balance" in page
    rows = {r.id: r for r in days_of(app, prog.award.id)}
    assert rows[taken_id].status == DayStatus.TAKEN
    assert rows[called_id].status == DayStatus.CALLED_BACK
    assert rows[called_id].reason == "Covering duty"
    assert "Called back to work on 1 day" in page
    assert re.search(r"Taken</th>\s*<td[^>]*>1</td>", page)
    assert re.search(r"Remaining</th>\s*<td[^>]*><strong>28</strong>", page)
    # a future day cannot be confirmed yet
    before = ledger_state(app, prog.award.id)
    page = text(
        browser.post(
            f"/release/days/{future_id}/confirm", {"outcome": "taken"}, follow_redirects=True
        )
    )
    assert "You can confirm a day once it has come" in page
    assert ledger_state(app, prog.award.id) == before


def test_only_the_holder_confirms(prog, browser, app):
    [day_id] = approved(app, prog, date(2027, 1, 5))
    browser.sign_in(prog.manager.email)
    assert browser.get(f"/release/days/{day_id}/confirm").status_code == 403


# --- delegation -----------------------------------------------------------------------


def delegate(browser, prog, start: date, end: date, to=None):
    return browser.post(
        "/release/delegations",
        {
            "delegate": str((to or prog.colleague).id),
            **parts("starts_on", start),
            **parts("ends_on", end),
        },
        follow_redirects=True,
    )


def test_delegate_approves_during_the_range_and_both_names_are_recorded(
    prog, browser, app, browser_factory, monkeypatch
):
    [day_id] = booked(app, prog, date(2027, 1, 21))
    browser.sign_in(prog.manager.email)
    page = text(delegate(browser, prog, TODAY, date(2027, 1, 22)))
    assert "Sam Patel can approve study days for your staff" in page
    other = browser_factory()
    other.sign_in(prog.colleague.email)
    page = text(other.get("/release/approvals"))
    assert "Covering for Jordan Lee" in page and "Thursday 21 January 2027" in page
    assert other.get(prog.ledger).status_code == 200
    other.post("/release/approvals", {"days": [str(day_id)], "action": "approve"})
    [row] = days_of(app, prog.award.id)
    assert row.status == DayStatus.APPROVED
    assert (row.decided_by_id, row.decided_for_id) == (prog.colleague.id, prog.manager.id)
    assert "Approved by Sam Patel for Jordan Lee" in text(browser.get(prog.ledger))
    # both the holder and the manager hear about it
    assert emails(app, prog.holder.email, "release_decided") == 1
    assert emails(app, prog.manager.email, "release_decided") == 1


def test_delegate_cannot_act_outside_the_range(prog, browser, app, browser_factory, monkeypatch):
    [day_id] = booked(app, prog, date(2027, 2, 4))
    browser.sign_in(prog.manager.email)
    delegate(browser, prog, date(2027, 1, 18), date(2027, 1, 22))
    other = browser_factory()
    other.sign_in(prog.colleague.email)
    for when in (TODAY, date(2027, 1, 25)):  # before it starts, after it ends
        freeze(app, monkeypatch, when)
        assert "Priya Shah" not in text(other.get("/release/approvals"))
        assert other.get(prog.ledger).status_code == 404
        other.post("/release/approvals", {"days": [str(day_id)], "action": "approve"})
        assert days_of(app, prog.award.id)[0].status == DayStatus.REQUESTED


def test_delegation_can_be_ended(prog, browser, app, browser_factory):
    browser.sign_in(prog.manager.email)
    delegate(browser, prog, TODAY, date(2027, 1, 22))
    with app.app_context():
        d_id = db.session.scalar(select(Delegation.id))
    page = text(
        browser.post(
            f"/release/delegations/{d_id}/end",
            {},
            token_from="/release/delegations",
            follow_redirects=True,
        )
    )
    assert "Sam Patel can no longer approve for you" in page
    other = browser_factory()
    other.sign_in(prog.colleague.email)
    assert other.get(prog.ledger).status_code == 404
    # someone else's delegation: 404
    other_browser = browser_factory()
    other_browser.sign_in(prog.stranger.email)
    resp = other_browser.post(
        f"/release/delegations/{d_id}/end", {}, token_from="/release/delegations"
    )
    assert resp.status_code == 404


def test_delegation_form_checks_its_input(prog, browser, app):
    browser.sign_in(prog.manager.email)
    page = text(browser.get("/release/delegations"))
    assert "Sam Patel" in page and "Kim Other" not in page  # only the same organisation
    resp = delegate(browser, prog, date(2027, 1, 4), date(2027, 1, 8))
    assert "The first day must be today or in the future" in text(resp)
    resp = delegate(browser, prog, date(2027, 1, 20), date(2027, 1, 18))
    assert "The last day must be the same as or after the first day" in text(resp)
    resp = delegate(browser, prog, TODAY, date(2027, 1, 18), to=prog.stranger)
    assert "Choose the colleague who will approve study days for you" in text(resp)
    resp = delegate(browser, prog, TODAY, date(2027, 1, 18), to=prog.manager)
    assert "Choose the colleague who will approve study days for you" in text(resp)
    with app.app_context():
        assert db.session.scalar(select(func.count(Delegation.id))) == 0


# --- who sees a ledger ----------------------------------------------------------------


def test_ledger_visible_to_psw_of_the_employer_and_staff_only(prog, make, browser_factory, app):
    [day_id] = booked(app, prog, date(2027, 1, 14))
    psw = make.user(Role.PSW, orgs=[prog.employer])
    other_psw = make.user(Role.PSW, orgs=[make.org()])
    staff = make.user(Role.STAFF)
    other_holder = make.award(cohort=make.running_cohort(**PROGRAMME))
    with app.app_context():
        from app.awards.models import Award

        other_holder_email = db.session.get(Award, other_holder.id).holder.email
    for email, status in (
        (psw.email, 200),
        (staff.email, 200),
        (other_psw.email, 404),
        (other_holder_email, 404),
    ):
        b = browser_factory()
        b.sign_in(email)
        resp = b.get(prog.ledger)
        assert resp.status_code == status, email
        if status == 200:
            page = text(resp)
            assert "Thursday 14 January 2027" in page
            assert "Plan study days" not in page and f"/release/days/{day_id}/cancel" not in page
    b = browser_factory()
    b.sign_in(other_holder_email)
    assert b.get(prog.ask).status_code == 404
    assert b.get(f"/release/days/{day_id}/cancel").status_code == 404
    assert b.get(f"/release/days/{day_id}/confirm").status_code == 404
