"""The residential workshops' rules: setting up a cohort's workshops and timetables, and
each award holder's registration and apologies. The register (attendance and the ledger)
is in `register.py`; its names are re-exported here for older imports.

Every write locks a parent row first (the cohort for set-up, the workshop for the
register), so two people at once give one change and a clear message to the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core import audit, state
from app.core.db import utcnow
from app.core.formatting import format_date
from app.core.workdays import non_working_reason
from app.extensions import db
from app.residentials.base import (  # noqa: F401  (re-exported)
    RegisterChanged,
    ResidentialError,
    can_view,
    check_day,
    holder_award,
    members,
    nations,
    require_staff,
    workshop_count,
)
from app.residentials.models import (
    NEEDS_KEPT_DAYS,
    Attendance,
    Mark,
    Registration,
    Workshop,
    WorkshopSession,
)
from app.residentials.register import (  # noqa: F401  (re-exported)
    ATTENDANCE_CSV_HEADER,
    RegisterLine,
    attendance_csv_rows,
    attendance_of,
    mark_all_present,
    register,
    save_register,
)

# Setting up workshops ---------------------------------------------------------------------


@dataclass
class WorkshopDetails:
    venue: str
    address: str
    starts_on: date
    ends_on: date
    arrival_time: time
    departure_time: time


def _check_dates(cohort: Cohort, d: WorkshopDetails, workshop: Workshop | None) -> None:
    if d.ends_on < d.starts_on:
        raise ResidentialError("The last day must be the same as or after the first day", "ends_on")
    if d.starts_on < cohort.programme_start or d.ends_on > cohort.programme_end:
        raise ResidentialError(
            "The workshop must be inside the programme year "
            f"({format_date(cohort.programme_start)} to {format_date(cohort.programme_end)})",
            "starts_on",
        )
    length = (d.ends_on - d.starts_on).days + 1
    if length > cohort.residential_days:
        raise ResidentialError(
            f"A workshop can be at most {cohort.residential_days} days long", "ends_on"
        )
    places = nations(cohort.id)
    day = d.starts_on
    while day <= d.ends_on:
        for nation in places:
            reason = non_working_reason(day, nation)
            if reason:
                raise ResidentialError(
                    f"{day:%A} {format_date(day)} is not a working day ({reason})", "starts_on"
                )
        day += timedelta(days=1)
    others = list(
        db.session.scalars(
            select(Workshop).where(
                Workshop.cohort_id == cohort.id,
                Workshop.id != (workshop.id if workshop else 0),
            )
        )
    )
    for other in others:
        if other.starts_on <= d.ends_on and d.starts_on <= other.ends_on:
            raise ResidentialError(
                f"These dates overlap {other.title.lower()} "
                f"({format_date(other.starts_on)} to {format_date(other.ends_on)})",
                "starts_on",
            )
    days = sum((o.ends_on - o.starts_on).days + 1 for o in others) + length
    if days > cohort.residential_days:
        raise ResidentialError(
            f"The cohort's workshops would add up to {days} days, more than its "
            f"{cohort.residential_days} residential days",
            "ends_on",
        )
    if d.arrival_time >= d.departure_time and d.starts_on == d.ends_on:
        raise ResidentialError("Departure must be after arrival", "departure_time")


def _fields(w: Workshop) -> dict:
    return {
        "venue": w.venue,
        "address": w.address,
        "starts_on": w.starts_on,
        "ends_on": w.ends_on,
        "arrival_time": w.arrival_time.isoformat("minutes") if w.arrival_time else None,
        "departure_time": w.departure_time.isoformat("minutes") if w.departure_time else None,
    }


def save_workshop(
    cohort: Cohort, actor: User, details: WorkshopDetails, workshop: Workshop | None = None
) -> Workshop:
    """Set up the cohort's next workshop, or change one. The cohort row is locked first so
    two set-ups at once cannot together overlap or pass the cohort's residential days."""
    require_staff(actor)
    state.lock(cohort)
    if workshop is not None:
        state.lock(workshop)
    _check_dates(cohort, details, workshop)
    if workshop is None:
        taken = set(
            db.session.scalars(select(Workshop.number).where(Workshop.cohort_id == cohort.id))
        )
        number = next(n for n in range(1, len(taken) + 2) if n not in taken)
        workshop = Workshop(cohort_id=cohort.id, number=number)
        db.session.add(workshop)
        before: dict = {}
        action = "residentials.workshop_created"
    else:
        before = _fields(workshop)
        action = "residentials.workshop_changed"
        marked = db.session.scalar(
            select(Attendance.id)
            .where(
                Attendance.workshop_id == workshop.id,
                Attendance.day.not_in(_days_between(details.starts_on, details.ends_on)),
            )
            .limit(1)
        )
        if marked is not None:
            raise ResidentialError(
                "Attendance has been recorded on a day these dates leave out. "
                "Correct the register first.",
                "starts_on",
            )
    for key, value in vars(details).items():
        setattr(workshop, key, value)
    db.session.flush()
    audit.record(
        action,
        workshop,
        actor=actor,
        changes=audit.diff(before, _fields(workshop)),
        summary=f"{cohort.name}: {workshop.title}",
    )
    return workshop


def _days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@dataclass
class SessionDetails:
    day: date
    starts_at: time
    ends_at: time
    title: str
    speaker: str = ""
    room: str = ""
    description: str = ""


def add_session(workshop: Workshop, actor: User, details: SessionDetails) -> WorkshopSession:
    require_staff(actor)
    if details.day not in workshop.days:
        raise ResidentialError("Choose one of the workshop's days", "day")
    if details.ends_at <= details.starts_at:
        raise ResidentialError("The session must end after it starts", "ends_at")
    session = WorkshopSession(workshop_id=workshop.id, **vars(details))
    db.session.add(session)
    db.session.flush()
    audit.record(
        "residentials.session_added",
        session,
        actor=actor,
        summary=f"{workshop.title}: {details.title}"[:300],
    )
    return session


def remove_session(session: WorkshopSession, actor: User) -> None:
    require_staff(actor)
    audit.record(
        "residentials.session_removed",
        session,
        actor=actor,
        summary=f"{session.workshop.title}: {session.title}"[:300],
    )
    db.session.delete(session)


# Registration and apologies ---------------------------------------------------------------


@dataclass
class RegistrationDetails:
    attending: bool
    accommodation: str = ""
    dietary: str = ""
    access: str = ""


def register_for(
    workshop: Workshop, award: Award, actor: User, details: RegistrationDetails, today: date
) -> Registration:
    """The holder confirms whether they will attend and gives their needs. The audit entry
    says needs were given, never what they are."""
    if award.holder_id != actor.id or award.cohort_id != workshop.cohort_id:
        raise ResidentialError("You can only reply for your own place on this workshop.")
    if today > workshop.ends_on:
        raise ResidentialError("This workshop has finished.")
    reg = db.session.scalar(
        select(Registration)
        .where(Registration.workshop_id == workshop.id, Registration.award_id == award.id)
        .with_for_update()
    )
    before = {"attending": reg.attending, "needs": reg.has_needs} if reg else {}
    if reg is None:
        reg = Registration(workshop_id=workshop.id, award_id=award.id)
        db.session.add(reg)
    for key, value in vars(details).items():
        setattr(reg, key, value.strip() if isinstance(value, str) else value)
    reg.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "residentials.registered",
        reg,
        actor=actor,
        changes=audit.diff(before, {"attending": reg.attending, "needs": reg.has_needs}),
        summary=f"{workshop.cohort.name}: {workshop.title}",
    )
    return reg


def send_apologies(
    workshop: Workshop, award: Award, actor: User, day: date, reason: str, today: date
) -> Attendance:
    if award.holder_id != actor.id or award.cohort_id != workshop.cohort_id:
        raise ResidentialError("You can only send apologies for yourself.")
    check_day(workshop, day)
    if day < today:
        raise ResidentialError("This day has passed. Contact the programme team.", "day")
    if not reason.strip():
        raise ResidentialError("Give a reason for your apologies", "reason")
    state.lock(workshop)
    row = db.session.scalar(
        select(Attendance).where(
            Attendance.workshop_id == workshop.id,
            Attendance.award_id == award.id,
            Attendance.day == day,
        )
    )
    if row is not None and row.mark != Mark.APOLOGIES:
        raise ResidentialError(
            "The register for this day has been taken. Contact the programme team.", "day"
        )
    before = row.mark if row else None
    if row is None:
        row = Attendance(workshop_id=workshop.id, award_id=award.id, day=day)
        db.session.add(row)
    row.mark, row.reason = Mark.APOLOGIES, reason.strip()[:500]
    row.marked_by_id, row.marked_at = actor.id, utcnow()
    db.session.flush()
    audit.record(
        "residentials.apologies_sent",
        row,
        actor=actor,
        changes={"mark": [before, Mark.APOLOGIES]},
        summary=f"{workshop.title}, {day.isoformat()}",
    )
    return row


def clear_needs(today: date, kept_days: int = NEEDS_KEPT_DAYS) -> int:
    """Clear accommodation, dietary and access needs `kept_days` after the workshop (the
    privacy purge passes the configured period). One audit entry per registration
    cleared (saying that, not what was held)."""
    cutoff = today - timedelta(days=kept_days)
    rows = list(
        db.session.scalars(
            select(Registration)
            .join(Workshop, Workshop.id == Registration.workshop_id)
            .options(lazyload("*"))
            .where(Workshop.ends_on < cutoff, Registration.needs_cleared_at.is_(None))
        )
    )
    for reg in rows:
        had = reg.has_needs
        reg.accommodation = reg.dietary = reg.access = ""
        reg.needs_cleared_at = utcnow()
        audit.record(
            "residentials.needs_cleared",
            reg,
            changes={"needs": [had, False]},
            summary=f"Needs cleared {kept_days} days after the workshop",
        )
    return len(rows)


def holder_workshops(user: User) -> list[tuple[Award, list[Workshop]]]:
    """Each of the user's awards with its cohort's workshops."""
    awards = list(
        db.session.scalars(
            select(Award)
            .join(Cohort, Cohort.id == Award.cohort_id)
            .options(joinedload(Award.cohort))
            .where(Award.holder_id == user.id)
            .order_by(Cohort.programme_start.desc())
        )
    )
    by_cohort: dict[int, list[Workshop]] = {a.cohort_id: [] for a in awards}
    if awards:
        for w in db.session.scalars(
            select(Workshop)
            .where(Workshop.cohort_id.in_(list(by_cohort)))
            .order_by(Workshop.starts_on)
        ):
            by_cohort[w.cohort_id].append(w)
    return [(a, by_cohort[a.cohort_id]) for a in awards]


def workshops_of_holder(user_id: int) -> list[Workshop]:
    """Every workshop of the cohorts the person holds an award in (for their calendar)."""
    return list(
        db.session.scalars(
            select(Workshop)
            .join(Award, Award.cohort_id == Workshop.cohort_id)
            .options(joinedload(Workshop.cohort))
            .where(Award.holder_id == user_id)
            .order_by(Workshop.starts_on)
        )
    )
