"""Query counts for the reminders pages (issue 15): staff's list of every reminder and a
person's notifications make as many queries with 100 reminders as with 10."""

from __future__ import annotations

from datetime import date

from app.core.roles import Role
from app.extensions import db
from app.reminders.models import Reminder
from tests.helpers import query_plans
from tests.test_query_counts import assert_flat, page_queries


def _add(app, staff_id: int, people: list[int], n: int, start: int) -> None:
    with app.app_context():
        for i in range(start, start + n):
            db.session.add(
                Reminder(
                    rule="output_due" if i % 2 else "award_items_pending",
                    subject_id=i,
                    period="2026-07-01:14",
                    user_id=staff_id if i % 3 == 0 else people[i % len(people)],
                    due_on=date(2026, 6, 17),
                    link="https://prp.example/outputs/1",
                    title=f"Reminder {i}",
                    skip_reason="Nobody is named to receive it" if i % 7 == 0 else None,
                )
            )
        db.session.commit()


def test_reminder_lists_do_not_grow(app, make, browser):
    staff = make.user(Role.STAFF)
    people = [make.user(Role.AWARD_HOLDER).id for _ in range(5)]
    browser.sign_in(staff.email)
    urls = [
        "/reminders/",
        "/reminders/?kind=output_due",
        "/reminders/?state=skipped",
        "/reminders/notifications",
    ]
    _add(app, staff.id, people, 10, 0)
    at_10 = {u: page_queries(app, browser, u) for u in urls}
    _add(app, staff.id, people, 90, 10)
    at_100 = {u: page_queries(app, browser, u) for u in urls}
    for u in urls:
        assert_flat(u, at_10[u], at_100[u])


def _waiting(app, make, n: int) -> None:
    """n awards, each with study days waiting for its line manager since Monday, its
    report due in 10 days, a personal award item and a learning agreement waiting since
    Monday: four kinds of reminder coming up for each."""
    from datetime import datetime

    from sqlalchemy import select

    from app.awards.models import AwardOutput, OutputKind
    from app.documents.models import LearningAgreement
    from app.money.models import Category, ItemStatus, SpendingItem
    from app.release.models import DayKind, DayStatus, ReleaseDay

    awards = [make.award() for _ in range(n)]
    with app.app_context():
        for a in awards:
            db.session.add(
                ReleaseDay(
                    award_id=a.id,
                    day=date(2026, 6, 29),
                    half_days=2,
                    kind=DayKind.STUDY,
                    status=DayStatus.REQUESTED,
                    requested_at=datetime(2026, 6, 8, 9),
                )
            )
            out = db.session.scalar(
                select(AwardOutput).where(
                    AwardOutput.award_id == a.id, AwardOutput.kind == OutputKind.REPORT
                )
            )
            out.due_date = date(2026, 6, 20)
            db.session.add(
                SpendingItem(
                    award_id=a.id,
                    category=Category.BOOKS,
                    description="Research methods textbook",
                    spent_on=date(2026, 6, 8),
                    amount_pence=4599,
                    status=ItemStatus.SUBMITTED,
                    submitted_at=datetime(2026, 6, 8, 9),
                )
            )
            db.session.add(
                LearningAgreement(
                    award_id=a.id,
                    updated_at=datetime(2026, 6, 8, 9),
                    created_at=datetime(2026, 6, 8, 9),
                )
            )
        db.session.commit()


def test_coming_up_does_not_grow(app, make, browser, monkeypatch):
    """The rules run once a kind and day (14 days), whatever the number of awards: as
    many queries with 100 reminders coming up as with 10. The page's total is the rule
    passes, not the records, so it is over the usual page cap and checked as flat only."""
    monkeypatch.setitem(app.config, "FROZEN_TODAY", date(2026, 6, 10))
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    urls = ["/reminders/coming-up", "/reminders/coming-up?kind=output_due&person=a"]
    _waiting(app, make, 5)
    at_10 = {u: page_queries(app, browser, u) for u in urls}
    _waiting(app, make, 45)
    at_100 = {u: page_queries(app, browser, u) for u in urls}
    for u in urls:
        if len(at_10[u]) != len(at_100[u]):
            assert_flat(u, at_10[u], at_100[u])  # lists the statements that grew
    page = browser.get("/reminders/coming-up").get_data(as_text=True)
    assert "Showing 1 to 10 of" in page  # paged


def test_the_staff_list_reads_the_newest_from_its_index(app, make, browser):
    """Unfiltered, the list joined every reminder to its person and sorted them all to show
    25: it reads them newest first from ix_reminder_created_id (migration e7b2c4d8f1a3)."""
    staff = make.user(Role.STAFF)
    _add(app, staff.id, [staff.id], 5, 0)
    browser.sign_in(staff.email)
    plans = query_plans(app, lambda: browser.get("/reminders/"), ["reminder"])
    assert "ix_reminder_created_id" in plans["reminder"], plans
