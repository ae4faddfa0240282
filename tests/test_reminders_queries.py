"""Query counts for the reminders pages (issue 15): staff's list of every reminder and a
person's notifications make as many queries with 100 reminders as with 10."""

from __future__ import annotations

from datetime import date

from app.core.roles import Role
from app.extensions import db
from app.reminders.models import Reminder
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
