"""Registers and lists for programme staff: attendance rates per award holder and per
cohort, the dietary and access list for the venue and the sign-in sheet. Each is a few
queries whatever the cohort's size, and each has a CSV twin (cells made safe once in
`csv_response`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Response
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.awards.models import Award
from app.core.csv import safe_cell
from app.extensions import db
from app.residentials.models import (
    NEEDS_KEPT_DAYS,
    Attendance,
    Mark,
    Registration,
    Workshop,
)


def csv_response(name: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    slug = re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip("-")
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{slug}"',
            "Cache-Control": "no-store",
        },
    )


def _members_with_employer(cohort_id: int) -> list[Award]:
    return list(
        db.session.scalars(
            select(Award)
            .join(User, User.id == Award.holder_id)
            .options(joinedload(Award.holder).lazyload(User.role_links), joinedload(Award.employer))
            .where(Award.cohort_id == cohort_id)
            .order_by(User.name, Award.id)
        )
    )


# Attendance rates -------------------------------------------------------------------------


@dataclass
class HolderRate:
    award: Award
    present: int = 0
    absent: int = 0
    apologies: int = 0
    unmarked: int = 0

    @property
    def days(self) -> int:
        return self.present + self.absent + self.apologies + self.unmarked

    @property
    def rate(self) -> int | None:
        """Days present out of the workshop days so far, as a whole per cent."""
        return round(100 * self.present / self.days) if self.days else None


@dataclass
class CohortRates:
    days_so_far: list[date]
    holders: list[HolderRate] = field(default_factory=list)

    @property
    def present(self) -> int:
        return sum(h.present for h in self.holders)

    @property
    def possible(self) -> int:
        return sum(h.days for h in self.holders)

    @property
    def rate(self) -> int | None:
        return round(100 * self.present / self.possible) if self.possible else None


def attendance_rates(cohort_id: int, workshops: list[Workshop], today: date) -> CohortRates:
    """Each award holder's attendance over the workshop days up to today (an unmarked day
    counts against the rate and is shown as such), and the cohort's rate: two queries."""
    days = [(w.id, d) for w in workshops for d in w.days if d <= today]
    result = CohortRates([d for _, d in days])
    awards = _members_with_employer(cohort_id)
    marks: dict[tuple[int, int, date], Mark] = {}
    if days and awards:
        for a in db.session.execute(
            select(Attendance.award_id, Attendance.workshop_id, Attendance.day, Attendance.mark)
            .join(Award, Award.id == Attendance.award_id)
            .where(
                Award.cohort_id == cohort_id,
                Attendance.workshop_id.in_([w.id for w in workshops]),
            )
        ):
            marks[(a.award_id, a.workshop_id, a.day)] = a.mark
    for award in awards:
        line = HolderRate(award)
        for workshop_id, d in days:
            mark = marks.get((award.id, workshop_id, d))
            if mark is None:
                line.unmarked += 1
            else:
                setattr(line, mark.value, getattr(line, mark.value) + 1)
        result.holders.append(line)
    return result


RATES_CSV_HEADER = (
    "Award holder",
    "Email",
    "Employer",
    "Workshop days so far",
    "Present",
    "Absent",
    "Apologies",
    "Not marked",
    "Attendance rate (%)",
)


def rates_csv_rows(rates: CohortRates) -> list[tuple]:
    return [
        (
            h.award.holder.name,
            h.award.holder.email,
            h.award.employer.name,
            h.days,
            h.present,
            h.absent,
            h.apologies,
            h.unmarked,
            "" if h.rate is None else h.rate,
        )
        for h in rates.holders
    ]


# Dietary and access needs ---------------------------------------------------------------


def needs_cleared_on(workshop: Workshop) -> date:
    """The day `flask clear-residential-needs` first clears this workshop's needs: once
    more than NEEDS_KEPT_DAYS have passed since its last day."""
    return workshop.ends_on + timedelta(days=NEEDS_KEPT_DAYS + 1)


def needs_list(workshop: Workshop) -> list[Registration]:
    """Replies that say the holder is coming, by name, with their holder: one query."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(Award, Award.id == Registration.award_id)
            .join(User, User.id == Award.holder_id)
            .options(
                joinedload(Registration.award).joinedload(Award.holder).lazyload(User.role_links)
            )
            .where(Registration.workshop_id == workshop.id, Registration.attending.is_(True))
            .order_by(User.name, Award.id)
        )
    )


NEEDS_CSV_HEADER = ("Award holder", "Accommodation", "Dietary", "Access")


def needs_csv_rows(regs: list[Registration]) -> list[tuple]:
    return [
        (r.award.holder.name, r.accommodation, r.dietary, r.access) for r in regs if r.has_needs
    ]


# The sign-in sheet --------------------------------------------------------------------------


def sign_in_sheet(workshop: Workshop) -> list[Award]:
    """Every award holder of the cohort with their employer, by name: one query."""
    return _members_with_employer(workshop.cohort_id)


def sign_in_csv_header(workshop: Workshop) -> tuple:
    return ("Award holder", "Employer", *(f"Signature {d:%a %d %b %Y}" for d in workshop.days))


def sign_in_csv_rows(workshop: Workshop, awards: list[Award]) -> list[tuple]:
    return [(a.holder.name, a.employer.name, *("" for _ in workshop.days)) for a in awards]
