"""The at-risk ranking stays short enough for psycopg to cache and prepare.

psycopg converts and caches a statement's placeholders only when the SQL is at most
4,096 bytes (`psycopg._queries.MAX_CACHED_STATEMENT_LENGTH`); longer statements are
parsed again on every request. The ranking once stated each cohort's expected-days CASE
in every expression that used it (8 KB of SQL for four running cohorts), which cost the
staff at-risk page more than running the query did. Compiled here for PostgreSQL with
the national data set's shape (four regions, each with one cohort in its programme year),
for staff and for a PSW, in every order; and for one cohort whose year has ended."""

from __future__ import annotations

from datetime import date

import pytest
from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH
from sqlalchemy.dialects import postgresql

from app.cohorts.models import Cohort
from app.release import oversight

TODAY = date(2026, 11, 30)


def cohorts(starts: list[date]) -> list[Cohort]:
    return [
        Cohort(
            id=30 + i,
            name=f"Cohort {i}",
            programme_start=start,
            programme_end=start.replace(year=start.year + 1),
        )
        for i, start in enumerate(starts)
    ]


RUNNING = [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1), date(2026, 9, 1)]
ENDED = [date(2024, 4, 1)]


@pytest.mark.parametrize("in_view", [RUNNING, ENDED], ids=["running", "ended"])
@pytest.mark.parametrize("sort", ["behind", "name", "employer"])
@pytest.mark.parametrize(
    "scope", [oversight.Scope(everyone=True), oversight.Scope(False, frozenset({101, 102}))]
)
def test_ranking_fits_the_drivers_statement_cache(app, sort, scope, in_view):
    with app.app_context():
        stmt = oversight._build_ranking(scope, cohorts(in_view), TODAY, False, sort, "desc")
        sql = str(stmt.limit(25).offset(0).compile(dialect=postgresql.psycopg.dialect()))
    assert len(sql.encode()) <= MAX_CACHED_STATEMENT_LENGTH, len(sql)
    # each cohort's figures are stated once, not once per expression that uses them
    assert sql.count("WHEN (award.cohort_id = 30)") == 1
