"""Demo residential workshops: the two past cohorts' three workshops each, with their
registers (every award holder attended every workshop, except one who sent apologies for a
death in the family, as in the evaluation), and the running and open cohorts' workshops
still to come. Everything goes through the real services, so the registers write the
residential days into the ledgers."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.cohorts.models import Cohort
from app.extensions import db
from app.residentials import presentation, register, running_order, services
from app.residentials.models import PresentationDay, Reply, Workshop

DEMO_TODAY = date(2026, 11, 20)
VENUE = ("Lakeside Conference Centre", "Newby Bridge Road\nWindermere\nLA12 8AR")

# Cohort name: the first day of each two-day workshop.
WORKSHOPS = {
    "2022-23": [date(2022, 10, 3), date(2023, 2, 6), date(2023, 6, 26)],
    "2023-24": [date(2023, 10, 2), date(2024, 2, 5), date(2024, 6, 24)],
    "2026-27": [date(2026, 5, 12), date(2026, 10, 6), date(2027, 3, 16)],
    "2027-28": [date(2027, 5, 11), date(2027, 10, 5), date(2028, 3, 7)],
}
BEREAVED = ("2023-24", 2, "holder2023-4@demo.test")  # missed workshop 2
QR_CHECK_IN = ("2026-27", 2, "holder@demo.test")  # scanned the code on the first day
# Finished cohorts' presentation days: every n-th invitee replied (attending, except every
# fourth reply), the rest never did.
PAST = ("2022-23", "2023-24")

# (day index, start, end, title, speaker, room) per workshop number
TIMETABLE = {
    1: [
        (0, time(10), time(11), "Welcome and introductions", "Programme team", "Windermere"),
        (0, time(11, 15), time(12, 45), "Shaping a practice research question", "", "Windermere"),
        (0, time(14), time(16), "Group coaching", "Programme coach", "Coniston"),
        (1, time(9, 30), time(11), "Finding the evidence: library access and searching", "", ""),
        (1, time(11, 15), time(12, 30), "Research ethics in social care", "", "Windermere"),
    ],
    2: [
        (0, time(10), time(12), "Qualitative interviews and analysis", "", "Windermere"),
        (
            0,
            time(13, 30),
            time(14, 30),
            "Research pathways for practitioners",
            "NIHR Research Support Service adviser (visiting speaker)",
            "Windermere",
        ),
        (1, time(9, 30), time(12), "Writing for your employer: the research report", "", ""),
    ],
    3: [
        (0, time(10), time(12), "Creative research posters", "", "Coniston"),
        (0, time(14), time(16), "Rehearsing presentations", "Programme coach", "Coniston"),
        (1, time(10), time(15), "Presentation day", "Award holders", "Windermere"),
    ],
}


def _staff() -> User | None:
    return db.session.scalar(select(User).where(User.email == "staff@demo.test"))


def _set_up(cohort: Cohort, staff: User, first: date) -> Workshop:
    w = services.save_workshop(
        cohort,
        staff,
        services.WorkshopDetails(
            venue=VENUE[0],
            address=VENUE[1],
            starts_on=first,
            ends_on=first + timedelta(days=1),
            arrival_time=time(9, 30),
            departure_time=time(16),
        ),
    )
    for offset, start, end, title, speaker, room in TIMETABLE[w.number]:
        services.add_session(
            w,
            staff,
            services.SessionDetails(
                first + timedelta(days=offset), start, end, title, speaker, room
            ),
        )
    return w


def _qr_check_in(cohort: Cohort, w: Workshop, staff: User) -> None:
    """One award holder checked themselves in with the venue's code (the register says so)."""
    if (cohort.name, w.number) != QR_CHECK_IN[:2]:
        return
    award = next((a for a in services.members(cohort.id) if a.holder.email == QR_CHECK_IN[2]), None)
    if award is not None:
        register.check_in(w, w.starts_on, award, award.holder, staff, w.starts_on)


def _keep_register(cohort: Cohort, w: Workshop, staff: User) -> None:
    _qr_check_in(cohort, w, staff)
    if (cohort.name, w.number) == BEREAVED[:2]:
        award = next(
            (a for a in services.members(cohort.id) if a.holder.email == BEREAVED[2]), None
        )
        if award is not None:
            for day in w.days:
                services.send_apologies(
                    w,
                    award,
                    award.holder,
                    day,
                    "A death in the family.",
                    w.starts_on - timedelta(days=3),
                )
    for day in w.days:
        services.mark_all_present(w, day, staff, DEMO_TODAY)


def load_residentials() -> int:
    """Set up the demo workshops once; return how many were created."""
    staff = _staff()
    if staff is None:
        return 0
    created = 0
    for name, firsts in WORKSHOPS.items():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == name))
        if cohort is None or db.session.scalar(
            select(Workshop.id).where(Workshop.cohort_id == cohort.id).limit(1)
        ):
            continue
        for first in firsts:
            w = _set_up(cohort, staff, first)
            created += 1
            if w.ends_on < DEMO_TODAY:
                _keep_register(cohort, w, staff)
        if name == "2026-27":
            upcoming = db.session.scalar(
                select(Workshop).where(Workshop.cohort_id == cohort.id, Workshop.number == 3)
            )
            holder = next(
                (a for a in services.members(cohort.id) if a.holder.email == "holder@demo.test"),
                None,
            )
            if upcoming is not None and holder is not None:
                services.register_for(
                    upcoming,
                    holder,
                    holder.holder,
                    services.RegistrationDetails(
                        attending=True, dietary="Vegetarian", access="A ground-floor room"
                    ),
                    DEMO_TODAY,
                )
    return created


def load_presentation_days() -> int:
    """The finished cohorts' presentation days: invitations sent a month before to each
    award holder's PSW, line manager and supervisor (run after the supervision demo, so
    supervisors are allocated), most replies in, and the running order published. The
    running cohort's invitations are out, no replies yet, its running order a draft.
    Returns how many invitations were sent."""
    staff = _staff()
    if staff is None:
        return 0
    sent = 0
    for name in (*PAST, "2026-27"):
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == name))
        on = presentation.day_of(cohort.id) if cohort else None
        if on is None or presentation.invitations(cohort.id):
            continue
        # a month before the day, or on the demo's today if that is nearer
        sent_on = min(on - timedelta(days=30), DEMO_TODAY)
        sent += presentation.send_invitations(cohort, staff, min(sent_on, on))
        running_order.draft_running_order(cohort, staff)
        if name in PAST:
            for i, inv in enumerate(presentation.invitations(cohort.id)):
                if i % 5 == 4:
                    continue  # never replied
                answer = Reply.NOT_ATTENDING if i % 4 == 3 else Reply.ATTENDING
                presentation.reply(inv, inv.reply_count, answer, on - timedelta(days=10))
            running_order.publish(cohort, staff)
        _date_within_the_year(cohort.id, sent_on, on)
    return sent


def _date_within_the_year(cohort_id: int, sent_on: date, on: date) -> None:
    """The services stamp the real clock; the demo's invitations were sent a month before
    the day (replies came over the next fortnight, the running order went out a week
    before), so a past cohort's records are dated in its own programme year."""
    sent = datetime.combine(sent_on, time(10))
    for i, inv in enumerate(presentation.invitations(cohort_id)):
        inv.sent_at = sent
        if inv.replied_at is not None:
            inv.replied_at = sent + timedelta(days=1 + i % 14, hours=i % 7)
    day = db.session.scalar(select(PresentationDay).where(PresentationDay.cohort_id == cohort_id))
    if day is not None and day.published_at is not None:
        day.published_at = datetime.combine(on - timedelta(days=7), time(15))
    db.session.flush()
