"""Access matrix: reminders (issue 15). Everyone signed in reads their own notifications
and sets their own choices; programme staff read everyone's reminders and turn kinds on
or off per cohort. Another person's notification is a 404 (tests/test_reminders_web.py)."""

from __future__ import annotations

from tests.matrix import ALL, STAFF, Page

PAGES = {
    "reminders.notifications": Page("/reminders/notifications", ALL),
    "reminders.preferences": Page("/reminders/preferences", ALL),
    "reminders.staff_list": Page("/reminders/", STAFF),
    "reminders.staff_csv": Page("/reminders/reminders.csv", STAFF),
    "reminders.coming_up": Page("/reminders/coming-up", STAFF),
    "reminders.cohort_settings": Page("/reminders/cohorts/{reminders_cohort_id}", STAFF),
}

ACTIONS = {
    "reminders.mark_read": ALL,
    "reminders.mark_all_read": ALL,
}


def records(make, app) -> dict:
    return {"reminders_cohort_id": make.cohort().id}
