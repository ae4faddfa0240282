"""The register: staff mark each award holder present, absent or apologies per workshop
day (or the holder checks in by QR code), and a day present is written into the holder's
release ledger through the ledger's own service, in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core import audit, state
from app.core.db import utcnow
from app.core.formatting import format_date
from app.core.roles import Role
from app.extensions import db
from app.release import services as ledger
from app.release.models import ACTIVE, DayKind, ReleaseDay
from app.residentials.base import (
    RegisterChanged,
    ResidentialError,
    check_day,
    members,
    require_staff,
)
from app.residentials.models import Attendance, Mark, Registration, Workshop

# Marking -----------------------------------------------------------------------------


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
    require_staff(actor)
    check_day(workshop, day)
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
    require_staff(actor)
    check_day(workshop, day)
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
    recorder: User | None = None,
) -> None:
    """Set one mark. `recorder`: who the ledger says recorded the day (staff), when the
    mark is the holder's own (QR check-in) rather than a member of staff's."""
    if row is None:
        row = Attendance(workshop_id=workshop.id, award_id=award.id, day=day)
        db.session.add(row)
    was_present = row.mark == Mark.PRESENT
    row.mark, row.marked_by_id, row.marked_at = wanted, actor.id, utcnow()
    row.by_qr = False
    if wanted != Mark.APOLOGIES:
        row.reason = ""
    if wanted == Mark.PRESENT and not was_present:
        row.release_day_id = _ledger_day(award, day, recorder or actor, today).id
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


def attendance_of(award: Award) -> dict[tuple[int, date], Attendance]:
    return {
        (a.workshop_id, a.day): a
        for a in db.session.scalars(select(Attendance).where(Attendance.award_id == award.id))
    }


# Checking in by QR code -----------------------------------------------------------------


def check_in_refusal(
    workshop: Workshop, day: date, award: Award | None, shown_by: User | None, today: date
) -> str | None:
    """Why this person cannot check in with this code now, or None. The code is for one
    workshop day, read only on that day, by award holders of that workshop's cohort."""
    if shown_by is None or not shown_by.has_role(Role.STAFF) or day not in workshop.days:
        return "This code is not valid. Ask the programme team for today's code."
    if day < today:
        return (
            f"This code was for {format_date(day)} and has expired. "
            "Ask the programme team for today's code."
        )
    if day > today:
        return f"This code is for {format_date(day)}. You can check in with it on that day."
    if award is None or award.cohort_id != workshop.cohort_id:
        cohort = db.session.get(Cohort, workshop.cohort_id)
        return (
            f"This code is for cohort {cohort.name}'s {workshop.title.lower()}, and you are "
            "not an award holder of that cohort. Speak to the programme team."
        )
    return None


def check_in(
    workshop: Workshop, day: date, award: Award | None, actor: User, shown_by: User, today: date
) -> Attendance:
    """The award holder scanned the venue's code: they are marked present through the
    register (so the day is written into their ledger, recorded by the member of staff who
    showed the code), and the register says they checked in by QR. A mark staff already
    gave stands (staff overrule, never the code); apologies the holder sent themselves give
    way, since they came after all."""
    refusal = check_in_refusal(workshop, day, award, shown_by, today)
    if refusal:
        raise ResidentialError(refusal)
    if award.holder_id != actor.id:
        raise ResidentialError("You can only check yourself in.")
    state.lock(workshop)
    row = db.session.scalar(
        select(Attendance)
        .where(
            Attendance.workshop_id == workshop.id,
            Attendance.award_id == award.id,
            Attendance.day == day,
        )
        .execution_options(populate_existing=True)
    )
    if row is not None and row.mark == Mark.PRESENT:
        raise ResidentialError("You are already signed in for today. Nothing was changed.")
    if row is not None and not (row.mark == Mark.APOLOGIES and row.marked_by_id == actor.id):
        raise ResidentialError(
            f"The programme team has marked you {row.mark.label.lower()} on today's register. "
            "Speak to them if this is wrong. Nothing was changed."
        )
    before = row.mark if row else None
    _apply(workshop, award, day, row, Mark.PRESENT, actor, today, recorder=shown_by)
    row = db.session.scalar(
        select(Attendance).where(
            Attendance.workshop_id == workshop.id,
            Attendance.award_id == award.id,
            Attendance.day == day,
        )
    )
    row.by_qr = True
    db.session.flush()
    audit.record(
        "residentials.checked_in",
        row,
        actor=actor,
        changes={"mark": [before, Mark.PRESENT]},
        summary=f"{workshop.title}, {day.isoformat()}: checked in by QR code",
    )
    return row
