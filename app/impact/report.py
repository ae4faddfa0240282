"""The impact reports: confirmed entries counted by category, reach and year since the
award holder completed, for the programme and per cohort, for programme staff (every
authority) and a PSW (their own authorities' award holders). One query, counted in the
database (category, reach, year since completion and award holders, each per cohort),
so the page, the chart and the CSV read the same numbers and the work does not grow
with the number of entries in Python."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from flask import current_app
from sqlalchemy import (
    Date,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
    union_all,
)

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
    holders: int = 0  # award holders with entries

    @property
    def total(self) -> int:
        return sum(self.category.values())

    @property
    def beyond(self) -> int:
        """Entries that reached past the holder's own authority."""
        return self.total - self.reach[Reach.TEAM] - self.reach[Reach.AUTHORITY]

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


def _bucket(dialect: str):
    """year_bucket() in SQL: the index into YEAR_BUCKETS. Days between two dates are
    spelt differently by PostgreSQL and SQLite."""
    if dialect == "sqlite":
        days = func.julianday(ImpactEntry.occurred_on) - func.julianday(
            func.date(Award.completed_at)
        )
    else:
        days = ImpactEntry.occurred_on - cast(Award.completed_at, Date)
    return case(
        (Award.completed_at.is_(None), 0),
        (days < 0, 0),
        (days < 365, 1),
        (days < 730, 2),
        (days < 1095, 3),
        else_=4,
    )


@cache
def _statement(dialect: str, by_employer: bool, by_cohort: bool) -> Select:
    """Built once per shape (the employers and the cohort are bound parameters): its
    construction cost more CPU than the counting it asks of the database."""
    base = (
        select(
            ImpactEntry.category,
            ImpactEntry.reach,
            _bucket(dialect).label("bucket"),
            ImpactEntry.award_id,
            Award.cohort_id,
        )
        .join(Award, Award.id == ImpactEntry.award_id)
        .where(ImpactEntry.status == EntryStatus.CONFIRMED)
    )
    if by_employer:
        base = base.where(Award.employer_id.in_(bindparam("employers", expanding=True)))
    if by_cohort:
        base = base.where(Award.cohort_id == bindparam("cohort"))
    e = base.cte("entries")  # read once, counted four ways
    holders = select(e.c.cohort_id, e.c.award_id).distinct().subquery()

    def counted(dimension: str, value):
        return select(
            e.c.cohort_id.label("cohort_id"),
            literal(dimension).label("dimension"),
            cast(value, String).label("value"),
            func.count().label("n"),
        ).group_by(e.c.cohort_id, value)

    counts = union_all(
        counted("category", e.c.category),
        counted("reach", e.c.reach),
        counted("year", e.c.bucket),
        select(holders.c.cohort_id, literal("holders"), literal(""), func.count()).group_by(
            holders.c.cohort_id
        ),
    ).subquery()
    return select(counts.c.cohort_id, counts.c.dimension, counts.c.value, counts.c.n)


# (authorities, cohort) -> (version, programme counts, counts per cohort id), kept per
# process. The version is read on every page (see _version), so a new, confirmed or
# removed entry, or a holder completing, shows at once. Off under tests unless
# REPORT_CACHE says so.
_KEPT: dict[tuple, tuple[tuple, Counts, dict[int, Counts]]] = {}


def _cache_on() -> bool:
    cfg = current_app.config
    return bool(cfg.get("REPORT_CACHE", cfg.get("APP_ENV") != "testing"))


def _version() -> tuple:
    """What the counts are made from, in one cheap query. Entries are only added (own
    entries confirmed, others suggested), decided once (suggested to confirmed or
    declined) or removed with their award; an award's cohort and authority never change
    and `completed_at` is set once. So the number of entries, the highest id, the number
    confirmed, and the number and latest of completions change whenever the counts can."""
    confirmed = ImpactEntry.status == EntryStatus.CONFIRMED
    parts = [
        select(func.count()).select_from(ImpactEntry),
        select(func.max(ImpactEntry.id)),
        select(func.count()).select_from(ImpactEntry).where(confirmed),
        select(func.count()).select_from(Award),
        select(func.count()).select_from(Award).where(Award.completed_at.is_not(None)),
        select(func.max(Award.completed_at)),
    ]
    # each on its own, so the database can answer a plain count or max from an index
    return tuple(db.session.execute(select(*(p.scalar_subquery() for p in parts))).one())


def _count(employer_ids: list[int] | None, cohort_id: int | None) -> tuple[Counts, dict]:
    params: dict = {}
    if employer_ids is not None:
        params["employers"] = list(employer_ids) or [-1]
    if cohort_id is not None:
        params["cohort"] = cohort_id
    dialect = db.session.get_bind().dialect.name
    stmt = _statement(dialect, employer_ids is not None, cohort_id is not None)
    programme = Counts("Programme")
    cohorts: dict[int, Counts] = {}
    for c_id, dimension, value, n in db.session.execute(stmt, params):
        counts = cohorts.setdefault(c_id, Counts(""))
        for into in (programme, counts):
            if dimension == "holders":  # a holder's award is in one cohort: they add up
                into.holders += n
            elif dimension == "category":
                into.category[Category(value)] += n
            elif dimension == "reach":
                into.reach[Reach(value)] += n
            else:
                into.year[YEAR_BUCKETS[int(value)]] += n
    return programme, cohorts


def build(
    employer_ids: list[int] | None,
    cohort_id: int | None = None,
    cohorts: list[Cohort] | None = None,
) -> Report:
    """`employer_ids`: None for every authority (staff), else a PSW's authorities.
    `cohorts`: every cohort in programme order (read here when not given); the counts
    are named from it, so a renamed cohort shows its new name at once."""
    if cohorts is None:
        cohorts = list(
            db.session.scalars(select(Cohort).order_by(Cohort.programme_start, Cohort.id))
        )
    key = (None if employer_ids is None else tuple(sorted(employer_ids)), cohort_id)
    if _cache_on():
        version = _version()
        hit = _KEPT.get(key)
        if hit is not None and hit[0] == version:
            programme, per_cohort = hit[1], hit[2]
        else:
            programme, per_cohort = _count(employer_ids, cohort_id)
            if len(_KEPT) > 256:
                _KEPT.clear()
            _KEPT[key] = (version, programme, per_cohort)
    else:
        programme, per_cohort = _count(employer_ids, cohort_id)
    named = []
    for c in cohorts:
        found = per_cohort.get(c.id)
        if found is not None:  # the kept counts are shared: only read, never changed
            named.append(
                Counts(
                    f"Cohort {c.name}",
                    c.name,
                    found.category,
                    found.reach,
                    found.year,
                    found.holders,
                )
            )
    return Report(programme, named)


def csv_text(report: Report) -> Iterator[str]:
    def line(values) -> str:
        out = io.StringIO()
        csv.writer(out).writerow([safe_cell(v) for v in values])
        return out.getvalue()

    yield line(["Scope", "Cohort", "Breakdown", "Value", "Entries"])
    for counts in [report.programme, *report.cohorts]:
        scope = "Cohort" if counts.cohort else "Programme"
        yield line([scope, counts.cohort, "All", "Award holders with entries", counts.holders])
        for title, rows in counts.tables():
            for label, n in rows:
                breakdown = title.removeprefix("By ").capitalize()
                yield line([scope, counts.cohort, breakdown, label, n])
