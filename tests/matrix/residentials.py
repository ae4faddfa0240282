"""Access matrix: residential workshops (staff set-up and register, holders' replies)."""

from __future__ import annotations

from datetime import time, timedelta

from app.core.roles import Role
from app.core.workdays import non_working_reason
from app.extensions import db
from tests.matrix import STAFF, Page

HOLDERS = frozenset({Role.AWARD_HOLDER})
BOTH = STAFF | HOLDERS
INVITEES = frozenset({Role.PSW, Role.LINE_MANAGER, Role.SUPERVISOR})

PAGES = {
    "residentials.index": Page("/residentials/", STAFF),
    # an award holder without an award is told so (200)
    "residentials.mine": Page("/residentials/mine", HOLDERS),
    "residentials.cohort": Page("/residentials/cohorts/{residential_cohort_id}", STAFF),
    "residentials.workshop_new": Page("/residentials/cohorts/{residential_cohort_id}/new", STAFF),
    "residentials.workshop_edit": Page("/residentials/workshops/{workshop_id}/edit", STAFF),
    # another cohort's workshop: 404 for an award holder who is not in it
    "residentials.workshop": Page(
        "/residentials/workshops/{workshop_id}", BOTH, not_found_for=HOLDERS
    ),
    "residentials.session_new": Page("/residentials/workshops/{workshop_id}/sessions/new", STAFF),
    "residentials.register": Page(
        "/residentials/workshops/{workshop_id}/register/{workshop_day}", STAFF
    ),
    "residentials.attendance_csv": Page(
        "/residentials/workshops/{workshop_id}/attendance.csv", STAFF
    ),
    "residentials.reply": Page(
        "/residentials/workshops/{workshop_id}/reply", HOLDERS, not_found_for=HOLDERS
    ),
    "residentials.apologies": Page(
        "/residentials/workshops/{workshop_id}/apologies", HOLDERS, not_found_for=HOLDERS
    ),
    # registers and lists for staff, each printable and as CSV
    "residentials.attendance_rates": Page(
        "/residentials/cohorts/{residential_cohort_id}/attendance", STAFF
    ),
    "residentials.attendance_rates_csv": Page(
        "/residentials/cohorts/{residential_cohort_id}/attendance.csv", STAFF
    ),
    "residentials.needs": Page("/residentials/workshops/{workshop_id}/needs", STAFF),
    "residentials.needs_csv": Page("/residentials/workshops/{workshop_id}/needs.csv", STAFF),
    "residentials.sign_in_sheet": Page(
        "/residentials/workshops/{workshop_id}/sign-in-sheet", STAFF
    ),
    "residentials.sign_in_sheet_csv": Page(
        "/residentials/workshops/{workshop_id}/sign-in-sheet.csv", STAFF
    ),
    "residentials.checkin_code": Page(
        "/residentials/workshops/{workshop_id}/check-in/{workshop_day}", STAFF
    ),
    # the presentation day
    "residentials.presentation_day": Page(
        "/residentials/cohorts/{residential_cohort_id}/presentation-day", STAFF
    ),
    "residentials.slot_edit": Page(
        "/residentials/presentation-slots/{presentation_slot_id}/edit", STAFF
    ),
    # a PSW, line manager or supervisor sees the days they are invited to (none: told so)
    "residentials.my_presentation_days": Page("/residentials/presentation-days", INVITEES),
    # a programme is shown to the invitees of that cohort only, once published
    "residentials.programme": Page(
        "/residentials/presentation-days/{residential_cohort_id}",
        STAFF | INVITEES,
        not_found_for=INVITEES,
    ),
}

ACTIONS = {
    "residentials.session_remove": STAFF,
    "residentials.mark_all_present": STAFF,
    "residentials.send_invitations": STAFF,
    "residentials.draft_running_order": STAFF,
    "residentials.publish_programme": STAFF,
    "residentials.unpublish_programme": STAFF,
    # signed links, tested in tests/test_residentials_checkin.py and _presentation.py
    "residentials.check_in": HOLDERS,
    "residentials.invitation": None,
}


def monday_after(day, nation):
    """The first Monday on or after `day` that starts two working days."""
    day += timedelta(days=(7 - day.weekday()) % 7)
    while non_working_reason(day, nation) or non_working_reason(day + timedelta(days=1), nation):
        day += timedelta(days=7)
    return day


def records(make, app) -> dict:
    award = make.award(cohort=make.running_cohort())
    with app.app_context():
        from app.awards.models import Award
        from app.residentials.models import PresentationDay, PresentationSlot, Workshop

        a = db.session.get(Award, award.id)
        start = monday_after(a.cohort.programme_start + timedelta(days=14), a.employer.nation)
        w = Workshop(
            cohort_id=a.cohort_id,
            number=1,
            venue="Lakeside Conference Centre",
            address="1 Shore Road",
            starts_on=start,
            ends_on=start + timedelta(days=1),
            arrival_time=time(9, 30),
            departure_time=time(16, 0),
        )
        db.session.add(w)
        day = PresentationDay(cohort_id=a.cohort_id)
        db.session.add(day)
        db.session.flush()
        slot = PresentationSlot(
            day_id=day.id, award_id=a.id, starts_at=time(10), ends_at=time(10, 20), title="A"
        )
        db.session.add(slot)
        db.session.commit()
        return {
            "presentation_slot_id": slot.id,
            "residential_cohort_id": a.cohort_id,
            "workshop_id": w.id,
            "workshop_day": start.isoformat(),
        }
