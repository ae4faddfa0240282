"""The contact report for programme staff: per award holder in a cohort, supervision and
coaching contact (meetings, hours, the last one), flagging anyone with no supervision
contact in the last six weeks. Supervision contact is a supervision or three-way
meeting; coaching contact an individual or group session."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import ColumnElement, Select, bindparam, exists, false, func, select

from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.csv import safe_cell
from app.core.params import INT_MAX
from app.extensions import db
from app.supervision import queries
from app.supervision.models import Attendee, Meeting, MeetingKind, PoolKind

QUIET_DAYS = 42  # six weeks
SUPERVISION_KINDS = (MeetingKind.SUPERVISION, MeetingKind.THREE_WAY)
COACHING_KINDS = (MeetingKind.COACHING, MeetingKind.GROUP_COACHING)
CSV_BATCH = 500


@dataclass
class Contact:
    meetings: int = 0
    minutes: int = 0
    last: date | None = None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    def add(self, count: int, minutes: int, last: date | None) -> None:
        self.meetings += count
        self.minutes += minutes
        if last is not None and (self.last is None or last > self.last):
            self.last = last


@dataclass
class ContactRow:
    award: Award
    supervisor: queries.Person | None
    coach: queries.Person | None
    supervision: Contact
    coaching: Contact
    flagged: bool
    days_since: int | None  # since the last supervision contact (or the year's start)


def flagged(cohort: Cohort, last: date | None, today: date) -> bool:
    """No supervision contact for more than six weeks of the running programme year:
    counted from the last contact, or from the year's start when there was none."""
    if today > cohort.programme_end:
        return False
    since = last or cohort.programme_start
    return (today - since).days > QUIET_DAYS


def flagging(cohort: Cohort, today: date) -> bool:
    """Whether anyone in `cohort` can be flagged today: its year is running and more than
    six weeks old."""
    return today <= cohort.programme_end and (
        cohort.programme_start < today - timedelta(days=QUIET_DAYS)
    )


def _quiet_sql(today: date) -> ColumnElement[bool]:
    """SQL: the award (in `Award`) has had no supervision contact for six weeks."""
    return ~exists().where(
        Attendee.award_id == Award.id,
        Attendee.meeting_id == Meeting.id,
        Meeting.kind.in_(SUPERVISION_KINDS),
        Meeting.held_on >= today - timedelta(days=QUIET_DAYS),
    )


def flagged_sql(cohort: Cohort, today: date) -> ColumnElement[bool]:
    """SQL: the award holder (in `Award`) of `cohort` is flagged today."""
    return _quiet_sql(today) if flagging(cohort, today) else false()


@cache
def _contact_stmt() -> Select:
    """Built once (the awards are an expanding parameter, "ids")."""
    return (
        select(
            Attendee.award_id,
            Meeting.kind,
            func.count(Meeting.id),
            func.coalesce(func.sum(Meeting.minutes), 0),
            func.max(Meeting.held_on),
        )
        .join(Meeting, Meeting.id == Attendee.meeting_id)
        .where(Attendee.award_id.in_(bindparam("ids", expanding=True)))
        .group_by(Attendee.award_id, Meeting.kind)
    )


def rows(cohort: Cohort, awards: list[Award], today: date) -> list[ContactRow]:
    """Report rows for a page of `cohort`'s awards in two queries."""
    ids = [a.id for a in awards]
    sup = {a: Contact() for a in ids}
    coach = {a: Contact() for a in ids}
    if ids:
        for award_id, kind, n, minutes, last in db.session.execute(_contact_stmt(), {"ids": ids}):
            target = sup if MeetingKind(kind) in SUPERVISION_KINDS else coach
            target[award_id].add(int(n), int(minutes), last)
    people = queries.current_names(ids)
    out = []
    for a in awards:
        last = sup[a.id].last
        is_flagged = flagged(cohort, last, today)
        since = last or cohort.programme_start
        out.append(
            ContactRow(
                award=a,
                supervisor=people[a.id].get(PoolKind.SUPERVISOR),
                coach=people[a.id].get(PoolKind.COACH),
                supervision=sup[a.id],
                coaching=coach[a.id],
                flagged=is_flagged,
                days_since=(today - since).days if today >= since else None,
            )
        )
    return out


def flagged_count(cohort: Cohort, today: date) -> int:
    return db.session.scalar(
        select(func.count(Award.id)).where(Award.cohort_id == cohort.id, flagged_sql(cohort, today))
    )


def cohort_and_totals(cohort_id: int, today: date) -> tuple[Cohort, int, int] | None:
    """The cohort, its award holders and how many of them are flagged today, in one query
    (None: no such cohort)."""
    if not 0 < cohort_id <= INT_MAX:
        return None
    in_cohort = Award.cohort_id == Cohort.id
    row = db.session.execute(
        select(
            Cohort,
            select(func.count(Award.id)).where(in_cohort).scalar_subquery(),
            select(func.count(Award.id)).where(in_cohort, _quiet_sql(today)).scalar_subquery(),
        ).where(Cohort.id == cohort_id)
    ).first()
    if row is None:
        return None
    cohort, total, quiet = row
    return cohort, int(total), int(quiet) if flagging(cohort, today) else 0


HEADER = [
    "Award holder",
    "Employer",
    "Academic supervisor",
    "Coach",
    "Supervision meetings",
    "Supervision hours",
    "Last supervision contact",
    "Coaching sessions",
    "Coaching hours",
    "Last coaching contact",
    "Days since supervision contact",
    "No supervision contact for six weeks",
]


def _line(values: list) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([safe_cell(v) for v in values])
    return out.getvalue()


def csv_lines(cohort: Cohort, stmt, today: date) -> Iterator[str]:
    """The report as CSV lines, a batch of award holders at a time (its queries grow
    with batches, not rows)."""
    yield _line(HEADER)
    offset = 0
    while True:
        batch = list(db.session.scalars(stmt.limit(CSV_BATCH).offset(offset)).unique())
        if not batch:
            return
        for r in rows(cohort, batch, today):
            yield _line(
                [
                    r.award.holder.name,
                    r.award.employer.name,
                    r.supervisor.name if r.supervisor else "",
                    r.coach.name if r.coach else "",
                    r.supervision.meetings,
                    r.supervision.hours,
                    r.supervision.last.isoformat() if r.supervision.last else "",
                    r.coaching.meetings,
                    r.coaching.hours,
                    r.coaching.last.isoformat() if r.coaching.last else "",
                    "" if r.days_since is None else r.days_since,
                    "Yes" if r.flagged else "No",
                ]
            )
        offset += CSV_BATCH
