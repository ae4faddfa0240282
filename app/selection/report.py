"""The applicant profile report (issue item 6): the evaluation's Tables 1 and 2 for a cohort.

Every figure is a GROUP BY or an aggregate in SQL; nothing loops over applications in
Python. The CSV is written row by row from a generator and is safe to open in a
spreadsheet (cells that would start a formula are prefixed with a single quote).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from app.applications.models import (
    Application,
    AppStatus,
    Degree,
    Gender,
    PriorResearch,
    ServiceArea,
)
from app.cohorts.models import Cohort
from app.core.csv import safe_cell
from app.extensions import db

HOLDERS = "holders"
SUBMITTED = "submitted"
POPULATIONS = {
    HOLDERS: "Award holders",
    SUBMITTED: "All submitted applications",
}
NOT_GIVEN = "Not given"


@dataclass
class Breakdown:
    key: str
    title: str
    rows: list[tuple[str, int]] = field(default_factory=list)  # (label, count)


@dataclass
class YearsSummary:
    answered: int
    mean: Decimal | None
    minimum: int | None
    maximum: int | None


@dataclass
class Profile:
    cohort: Cohort
    population: str
    total: int
    breakdowns: list[Breakdown]
    years: YearsSummary

    @property
    def population_label(self) -> str:
        return POPULATIONS[self.population]


def parse_population(value: str | None) -> str:
    return value if value in POPULATIONS else HOLDERS


def _where(cohort_id: int, population: str) -> list:
    if population == HOLDERS:
        return [Application.cohort_id == cohort_id, Application.status == AppStatus.AWARDED]
    return [
        Application.cohort_id == cohort_id,
        Application.status != AppStatus.DRAFT,
        Application.submitted_at.is_not(None),
    ]


def _grouped(column, where: list) -> list[tuple[object, int]]:
    return list(
        db.session.execute(
            select(column, func.count(Application.id)).where(*where).group_by(column)
        )
    )


def _enum_breakdown(key, title, column, enum_cls, where) -> Breakdown:
    """Counts in the enum's own order, then answers not given."""
    counts = {(enum_cls(v) if v is not None else None): n for v, n in _grouped(column, where)}
    rows = [(member.label, counts[member]) for member in enum_cls if counts.get(member)]
    if counts.get(None):
        rows.append((NOT_GIVEN, counts[None]))
    return Breakdown(key, title, rows)


def _roles(where: list) -> Breakdown:
    """Current role is free text: exact matches grouped, most common first."""
    rows = [
        (role if role else NOT_GIVEN, n)
        for role, n in db.session.execute(
            select(Application.current_role, func.count(Application.id))
            .where(*where)
            .group_by(Application.current_role)
            .order_by(func.count(Application.id).desc(), Application.current_role)
        )
    ]
    return Breakdown("current_role", "Current role", rows)


def _social_worker(where: list) -> Breakdown:
    counts = dict(_grouped(Application.is_social_worker, where))
    rows = [(label, counts[v]) for v, label in ((True, "Yes"), (False, "No")) if counts.get(v)]
    if counts.get(None):
        rows.append((NOT_GIVEN, counts[None]))
    return Breakdown("social_worker", "Social worker", rows)


def _years(where: list) -> YearsSummary:
    answered, total, low, high = db.session.execute(
        select(
            func.count(Application.years_qualified),
            func.sum(Application.years_qualified),
            func.min(Application.years_qualified),
            func.max(Application.years_qualified),
        ).where(*where)
    ).one()
    if not answered:
        return YearsSummary(0, None, None, None)
    # exact: integer sum over integer count, rounded half up to one decimal place
    mean = (Decimal(int(total)) / Decimal(int(answered))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return YearsSummary(int(answered), mean, int(low), int(high))


def build_profile(cohort: Cohort, population: str) -> Profile:
    where = _where(cohort.id, population)
    total = db.session.scalar(select(func.count(Application.id)).where(*where)) or 0
    breakdowns = [
        _enum_breakdown("gender", "Gender", Application.gender, Gender, where),
        _enum_breakdown(
            "service_area", "Service area", Application.service_area, ServiceArea, where
        ),
        _roles(where),
        _enum_breakdown(
            "highest_degree", "Highest degree", Application.highest_degree, Degree, where
        ),
        _enum_breakdown(
            "prior_research",
            "Prior research experience",
            Application.prior_research,
            PriorResearch,
            where,
        ),
        _social_worker(where),
    ]
    return Profile(cohort, population, total, breakdowns, _years(where))


# CSV ----------------------------------------------------------------------------------


def csv_rows(profile: Profile) -> Iterator[list[object]]:
    """One table of three columns, so the file sorts and filters cleanly."""
    yield ["Measure", "Answer", "Value"]
    yield ["Cohort", profile.cohort.name, ""]
    yield ["Population", profile.population_label, ""]
    yield ["Number of people", "", profile.total]
    for b in profile.breakdowns:
        for label, n in b.rows:
            yield [b.title, label, n]
    y = profile.years
    yield ["Years since qualifying", "People who answered", y.answered]
    yield ["Years since qualifying", "Mean", "" if y.mean is None else str(y.mean)]
    yield ["Years since qualifying", "Shortest", "" if y.minimum is None else y.minimum]
    yield ["Years since qualifying", "Longest", "" if y.maximum is None else y.maximum]


def csv_lines(profile: Profile) -> Iterator[str]:
    """The CSV one line at a time (UTF-8 with a byte order mark, for Excel)."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in csv_rows(profile):
        writer.writerow([safe_cell(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def csv_filename(profile: Profile) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", profile.cohort.name.lower()).strip("-")
    return f"applicant-profile-{slug or profile.cohort.id}-{profile.population}.csv"
