"""The residential workshops' rules: setting up a cohort's workshops and timetables, each
award holder's registration and apologies, and the register that writes residential days
into the release ledger (through the ledger's own services).

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
from app.core.roles import Role
from app.core.workdays import non_working_reason
from app.extensions import db
from app.organisations.models import Nation, Organisation
from app.release import services as ledger
from app.release.models import ACTIVE, DayKind, ReleaseDay
from app.residentials.models import (
    NEEDS_KEPT_DAYS,
    WORKSHOP_DAYS,
    Attendance,
    Mark,
    Registration,
    Workshop,
    WorkshopSession,
)


class ResidentialError(Exception):
    """A rule refused the action; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class RegisterChanged(ResidentialError, state.Conflict):
    """Someone else changed the register first; nothing was written."""


def _staff(actor: User) -> None:
    if not actor.has_role(Role.STAFF):
        raise ResidentialError("Only programme staff can do this.")


# Who sees what ----------------------------------------------------------------------------


def holder_award(user: User, cohort_id: int) -> Award | None:
    """The user's award in this cohort, if they hold one."""
    return db.session.scalar(
        select(Award).where(Award.cohort_id == cohort_id, Award.holder_id == user.id)
    )


def can_view(user: User, workshop: Workshop) -> bool:
    """Programme staff, and the award holders of the workshop's cohort."""
    if user.has_role(Role.STAFF):
        return True
    return user.has_role(Role.AWARD_HOLDER) and holder_award(user, workshop.cohort_id) is not None


def workshop_count(cohort: Cohort) -> int:
    """How many workshops the cohort's residential days make (6 days: three of two)."""
    return cohort.residential_days // WORKSHOP_DAYS


def members(cohort_id: int) -> list[Award]:
    """The cohort's award holders, by name, with their holder loaded (no roles)."""
    return list(
        db.session.scalars(
            select(Award)
            .join(User, User.id == Award.holder_id)
            .options(joinedload(Award.holder).lazyload(User.role_links))
            .where(Award.cohort_id == cohort_id)
            .order_by(User.name, Award.id)
        )
    )


def nations(cohort_id: int) -> set[Nation]:
    """The nations of the cohort's employers: a workshop day must be a working day in each."""
    found = set(
        db.session.scalars(
            select(Organisation.nation)
            .join(Award, Award.employer_id == Organisation.id)
            .where(Award.cohort_id == cohort_id)
            .distinct()
        )
    )
    return found or {Nation.ENGLAND_AND_WALES}


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
    _staff(actor)
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
    _staff(actor)
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
    _staff(actor)
    audit.record(
        "residentials.session_removed",
        session,
        actor=actor,
        summary=f"{session.workshop.title}: {session.title}"[:300],
    )
    db.session.delete(session)


# The register -----------------------------------------------------------------------------


@dataclass
class RegisterLine:
    award: Award
    attendance: Attendance | None
    registration: Registration | None

    @property
    def mark(self) -> Mark | None:
        return self.attendance.mark if self.attendance else None


def register(workshop: Workshop, day: date) -> list[RegisterLine]:
    """The cohort's award holders with their mark for `day`: three queries, however many."""
    awards = members(workshop.cohort_id)
    marks = {
        a.award_id: a
        for a in db.session.scalars(
            select(Attendance).where(Attendance.workshop_id == workshop.id, Attendance.day == day)
        )
    }
    regs = {
        r.award_id: r
        for r in db.session.scalars(
            select(Registration).where(Registration.workshop_id == workshop.id)
        )
    }
    return [RegisterLine(a, marks.get(a.id), regs.get(a.id)) for a in awards]


def _check_day(workshop: Workshop, day: date) -> None:
    if day not in workshop.days:
        raise ResidentialError(
            f"{format_date(day)} is not a day of {workshop.title.lower()} "
            f"({format_date(workshop.starts_on)} to {format_date(workshop.ends_on)}). "
            "Nothing was changed."
        )


def save_register(
    workshop: Workshop,
    day: date,
    actor: User,
    marks: dict[int, Mark],
    seen: dict[int, Mark | None],
    today: date,
) -> int:
    """Apply the marks that differ from what is recorded; return how many changed.

    `seen` is each person's mark as the page showed it: a mark changed by someone else
    since refuses the whole save (compare-and-set), so nobody's correction is lost.
    Present writes a taken residential day into the holder's ledger; a mark changed
    away from present takes it back out, in the same transaction. One audit entry."""
    _staff(actor)
    _check_day(workshop, day)
    state.lock(workshop)
    by_id = {a.id: a for a in members(workshop.cohort_id)}
    strangers = [i for i in marks if i not in by_id]
    if strangers:
        raise ResidentialError(
            f"Someone marked is not an award holder of cohort {workshop.cohort.name}. "
            "Nothing was changed."
        )
    if day > today and any(m != Mark.APOLOGIES for m in marks.values()):
        raise ResidentialError(
            f"You can mark people present or absent from {format_date(day)}. Nothing was changed."
        )
    current = {
        a.award_id: a
        for a in db.session.scalars(
            select(Attendance)
            .where(Attendance.workshop_id == workshop.id, Attendance.day == day)
            .execution_options(populate_existing=True)
        )
    }
    changes: dict[str, list] = {}
    for award_id in sorted(marks):
        row, wanted = current.get(award_id), marks[award_id]
        before = row.mark if row else None
        if award_id in seen and seen[award_id] != before:
            who = by_id[award_id].holder.name
            raise RegisterChanged(
                f"{who}'s mark was changed by someone else while you were working. "
                "Check the register and save again. Nothing was changed."
            )
        if before == wanted:
            continue
        _apply(workshop, by_id[award_id], day, row, wanted, actor, today)
        changes[f"{by_id[award_id].holder.name} (award {award_id})"] = [before, wanted]
    if changes:
        audit.record(
            "residentials.register_saved",
            workshop,
            actor=actor,
            changes=changes,
            summary=f"{workshop.cohort.name}: {workshop.title}, {day.isoformat()}",
        )
    return len(changes)


def mark_all_present(workshop: Workshop, day: date, actor: User, today: date) -> int:
    """Everyone without a mark for `day` is marked present; marks already given (apologies
    sent in advance included) stay as they are."""
    _staff(actor)
    _check_day(workshop, day)
    state.lock(workshop)
    marked = set(
        db.session.scalars(
            select(Attendance.award_id).where(
                Attendance.workshop_id == workshop.id, Attendance.day == day
            )
        )
    )
    unmarked = [a.id for a in members(workshop.cohort_id) if a.id not in marked]
    return save_register(
        workshop,
        day,
        actor,
        dict.fromkeys(unmarked, Mark.PRESENT),
        dict.fromkeys(unmarked),
        today,
    )


def _apply(
    workshop: Workshop,
    award: Award,
    day: date,
    row: Attendance | None,
    wanted: Mark,
    actor: User,
    today: date,
) -> None:
    if row is None:
        row = Attendance(workshop_id=workshop.id, award_id=award.id, day=day)
        db.session.add(row)
    was_present = row.mark == Mark.PRESENT
    row.mark, row.marked_by_id, row.marked_at = wanted, actor.id, utcnow()
    if wanted != Mark.APOLOGIES:
        row.reason = ""
    if wanted == Mark.PRESENT and not was_present:
        row.release_day_id = _ledger_day(award, day, actor, today).id
    elif was_present and row.release_day_id is not None:
        taken = db.session.get(ReleaseDay, row.release_day_id)
        if taken is not None and taken.status in ACTIVE:
            ledger.remove_residential(
                taken, actor, reason=f"Register corrected: {wanted.label.lower()}"
            )
        row.release_day_id = None
    db.session.flush()


def _ledger_day(award: Award, day: date, actor: User, today: date) -> ReleaseDay:
    """The holder's residential day for `day`: one already recorded by hand, or a new one
    written through the ledger's service (which checks their residential days)."""
    existing = db.session.scalar(
        select(ReleaseDay).where(
            ReleaseDay.award_id == award.id,
            ReleaseDay.day == day,
            ReleaseDay.status.in_(ACTIVE),
        )
    )
    name = award.holder.name
    if existing is not None and existing.kind == DayKind.RESIDENTIAL:
        return existing
    if existing is not None:
        raise ResidentialError(
            f"{name} has a study day in their ledger on {format_date(day)}, so it cannot "
            "also be a residential day. Nothing was changed."
        )
    try:
        return ledger.record_residential(
            award, actor, day, half_day=False, today=today, attended=True, audited=False
        )
    except ledger.ReleaseError as exc:
        raise ResidentialError(f"{name}: {exc} Nothing was changed.") from exc


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
    _check_day(workshop, day)
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


def clear_needs(today: date) -> int:
    """Clear accommodation, dietary and access needs NEEDS_KEPT_DAYS after the workshop.
    One audit entry per registration cleared (saying that, not what was held)."""
    cutoff = today - timedelta(days=NEEDS_KEPT_DAYS)
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
            summary=f"Needs cleared {NEEDS_KEPT_DAYS} days after the workshop",
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


ATTENDANCE_CSV_HEADER = (
    "Cohort",
    "Workshop",
    "Date",
    "Award holder",
    "Email",
    "Employer",
    "Mark",
    "Apologies reason",
)


def attendance_csv_rows(workshop: Workshop) -> list[tuple]:
    """One row per award holder and workshop day (unmarked days say so): two queries."""
    awards = list(
        db.session.scalars(
            select(Award)
            .join(User, User.id == Award.holder_id)
            .options(joinedload(Award.holder).lazyload(User.role_links), joinedload(Award.employer))
            .where(Award.cohort_id == workshop.cohort_id)
            .order_by(User.name, Award.id)
        )
    )
    marks = {
        (a.award_id, a.day): a
        for a in db.session.scalars(select(Attendance).where(Attendance.workshop_id == workshop.id))
    }
    rows = []
    for day in workshop.days:
        for award in awards:
            a = marks.get((award.id, day))
            rows.append(
                (
                    workshop.cohort.name,
                    workshop.title,
                    day.isoformat(),
                    award.holder.name,
                    award.holder.email,
                    award.employer.name,
                    a.mark.label if a else "Not marked",
                    a.reason if a and a.mark == Mark.APOLOGIES else "",
                )
            )
    return rows


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


def attendance_of(award: Award) -> dict[tuple[int, date], Attendance]:
    return {
        (a.workshop_id, a.day): a
        for a in db.session.scalars(select(Attendance).where(Attendance.award_id == award.id))
    }
