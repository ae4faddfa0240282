"""The impact reports: confirmed entries counted by category, reach and year since the
award holder completed, for the programme and per cohort, for programme staff (every
authority) and a PSW (their own authorities' award holders). One query; the counting
is done here so the page, the chart and the CSV read the same numbers."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.csv import safe_cell
from app.extensions import db
from app.impact.models import Category, EntryStatus, ImpactEntry, Reach

DURING = "During the programme"
YEAR_BUCKETS = (DURING, "Year 1", "Year 2", "Year 3", "Year 4 or later")


def year_bucket(occurred_on: date, completed_on: date | None) -> str:
    """Which year since completion an entry falls in: year 1 is the 365 days from the
    day the holder completed. Before completion (or not yet complete): during."""
    if completed_on is None or occurred_on < completed_on:
        return DURING
    n = (occurred_on - completed_on).days // 365 + 1
    return YEAR_BUCKETS[min(n, 4)]


@dataclass
class Counts:
    name: str
    cohort: str = ""
    category: Counter = field(default_factory=Counter)
    reach: Counter = field(default_factory=Counter)
    year: Counter = field(default_factory=Counter)
    holders: set = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(self.category.values())

    @property
    def beyond(self) -> int:
        """Entries that reached past the holder's own authority."""
        return self.total - self.reach[Reach.TEAM] - self.reach[Reach.AUTHORITY]

    def add(self, category: Category, reach: Reach, bucket: str, award_id: int) -> None:
        self.category[category] += 1
        self.reach[reach] += 1
        self.year[bucket] += 1
        self.holders.add(award_id)

    def tables(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """(title, [(label, count)]) for each breakdown, every row shown (zeros too)."""
        return [
            ("By category", [(c.label, self.category[c]) for c in Category]),
            ("By reach", [(r.label, self.reach[r]) for r in Reach]),
            ("By year since completion", [(b, self.year[b]) for b in YEAR_BUCKETS]),
        ]


@dataclass
class Report:
    programme: Counts
    cohorts: list[Counts]


def build(employer_ids: list[int] | None, cohort_id: int | None = None) -> Report:
    """`employer_ids`: None for every authority (staff), else a PSW's authorities."""
    stmt = (
        select(
            ImpactEntry.category,
            ImpactEntry.reach,
            ImpactEntry.occurred_on,
            ImpactEntry.award_id,
            Award.completed_at,
            Cohort.id,
            Cohort.name,
        )
        .join(Award, Award.id == ImpactEntry.award_id)
        .join(Cohort, Cohort.id == Award.cohort_id)
        .where(ImpactEntry.status == EntryStatus.CONFIRMED)
        .order_by(Cohort.programme_start, Cohort.id)
    )
    if employer_ids is not None:
        stmt = stmt.where(Award.employer_id.in_(employer_ids or [-1]))
    if cohort_id is not None:
        stmt = stmt.where(Cohort.id == cohort_id)
    programme = Counts("Programme")
    cohorts: dict[int, Counts] = {}
    for category, reach, occurred, award_id, completed, c_id, c_name in db.session.execute(stmt):
        bucket = year_bucket(occurred, completed.date() if completed else None)
        programme.add(category, reach, bucket, award_id)
        cohorts.setdefault(c_id, Counts(f"Cohort {c_name}", c_name)).add(
            category, reach, bucket, award_id
        )
    return Report(programme, list(cohorts.values()))


def csv_text(report: Report) -> Iterator[str]:
    def line(values) -> str:
        out = io.StringIO()
        csv.writer(out).writerow([safe_cell(v) for v in values])
        return out.getvalue()

    yield line(["Scope", "Cohort", "Breakdown", "Value", "Entries"])
    for counts in [report.programme, *report.cohorts]:
        scope = "Cohort" if counts.cohort else "Programme"
        yield line([scope, counts.cohort, "All", "Award holders with entries", len(counts.holders)])
        for title, rows in counts.tables():
            for label, n in rows:
                breakdown = title.removeprefix("By ").capitalize()
                yield line([scope, counts.cohort, breakdown, label, n])
