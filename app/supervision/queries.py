"""What the supervision pages read: the three suggested three-way meeting windows and
their status, and rows of award holders with their days, meetings and allocations, each
figure for a whole page in one query (the page's query count does not grow with it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, case, func, select
from sqlalchemy.orm import joinedload, lazyload

from app.accounts.models import User
from app.awards.models import Award, AwardOutput, OutputKind
from app.cohorts.models import Cohort
from app.core.params import INT_MAX
from app.extensions import db
from app.organisations.models import Organisation
from app.release import services as ledger
from app.supervision.models import Allocation, Attendee, Meeting, MeetingKind, PoolKind

THREE_WAY_WINDOWS = 3


# Three-way meetings ---------------------------------------------------------------------


@dataclass
class Window:
    number: int
    starts_on: date
    ends_on: date
    status: str = "upcoming"  # upcoming | due | overdue | done
    held_on: date | None = None

    @property
    def label(self) -> str:
        return {"upcoming": "Not due yet", "due": "Due", "overdue": "Overdue", "done": "Done"}[
            self.status
        ]

    @property
    def colour(self) -> str:
        return {"upcoming": "grey", "due": "blue", "overdue": "red", "done": "green"}[self.status]


def windows(cohort: Cohort) -> list[tuple[date, date]]:
    """The programme year cut into three equal windows (the evaluation's recommendation:
    three three-way meetings in the year)."""
    start, end = cohort.programme_start, cohort.programme_end
    total = (end - start).days + 1
    out = []
    for i in range(THREE_WAY_WINDOWS):
        first = start + timedelta(days=total * i // THREE_WAY_WINDOWS)
        last = start + timedelta(days=total * (i + 1) // THREE_WAY_WINDOWS - 1)
        out.append((first, last))
    return out


def three_way_status(
    cohort: Cohort,
    held: list[date],
    today: date,
    cut: list[tuple[date, date]] | None = None,
) -> list[Window]:
    """Each window's status. A meeting counts for the earliest window not yet done that has
    opened by its date, so a late meeting catches up an overdue window. `cut`: the
    cohort's `windows`, when the caller has them."""
    cut = cut if cut is not None else windows(cohort)
    result = [Window(n + 1, s, e) for n, (s, e) in enumerate(cut)]
    for day in sorted(held):
        for w in result:
            if w.held_on is None and w.starts_on <= day:
                w.held_on, w.status = day, "done"
                break
    for w in result:
        if w.held_on is None:
            if today > w.ends_on:
                w.status = "overdue"
            elif today >= w.starts_on:
                w.status = "due"
    return result


def next_three_way(status: list[Window]) -> Window | None:
    return next((w for w in status if w.status != "done"), None)


def three_way_dates(award_ids: list[int]) -> dict[int, list[date]]:
    out: dict[int, list[date]] = {a: [] for a in award_ids}
    if not award_ids:
        return out
    rows = db.session.execute(
        select(Attendee.award_id, Meeting.held_on)
        .join(Meeting, Meeting.id == Attendee.meeting_id)
        .where(Attendee.award_id.in_(award_ids), Meeting.kind == MeetingKind.THREE_WAY)
    )
    for award_id, held_on in rows:
        out[award_id].append(held_on)
    return out


# Rows of award holders ------------------------------------------------------------------


@dataclass
class OutputLine:
    """One required output as a supervisor reads it: kind, status and due date (read
    only; the outputs pages are their own feature)."""

    kind: OutputKind
    status: str  # the status value
    due_date: date | None
    overdue: bool

    @property
    def status_label(self) -> str:
        return self.status.replace("_", " ").capitalize()


DONE_OUTPUT_STATUSES = ("submitted", "accepted")


def outputs_for(award_ids: list[int], today: date) -> dict[int, list[OutputLine]]:
    """{award_id: its outputs} in one query (columns only: the outputs feature owns the
    rest of the row)."""
    out: dict[int, list[OutputLine]] = {a: [] for a in award_ids}
    if not award_ids:
        return out
    rows = db.session.execute(
        select(AwardOutput.award_id, AwardOutput.kind, AwardOutput.status, AwardOutput.due_date)
        .where(AwardOutput.award_id.in_(award_ids))
        .order_by(AwardOutput.award_id, AwardOutput.id)
    )
    for award_id, kind, status, due in rows:
        value = getattr(status, "value", status)
        late = due is not None and due < today and value not in DONE_OUTPUT_STATUSES
        out[award_id].append(OutputLine(OutputKind(kind), value, due, late))
    return out


@dataclass(frozen=True)
class Person:
    """A supervisor or coach as the lists name them."""

    id: int
    name: str


@dataclass
class HolderRow:
    award: Award
    days_taken: float
    days_remaining: float
    at_risk: bool
    ended: bool
    supervision: int  # supervision meetings
    coaching: int  # coaching sessions, individual and group
    last_contact: date | None
    three_way: list[Window]
    supervisor: Person | None = None
    coach: Person | None = None
    outputs: list[OutputLine] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def next_three_way(self) -> Window | None:
        return next_three_way(self.three_way)

    @property
    def three_way_done(self) -> int:
        return sum(1 for w in self.three_way if w.status == "done")

    @property
    def three_way_overdue(self) -> int:
        return sum(1 for w in self.three_way if w.status == "overdue")


def award_stmt(cohort: Cohort | None = None) -> Select:
    """Awards with what the lists show of them: the holder's and the employer's name and
    the cohort. Given `cohort`, only its awards, and the cohort is not joined again (the
    page has loaded it: each award finds it in the session)."""
    stmt = (
        select(Award)
        .join(User, User.id == Award.holder_id)
        .options(
            joinedload(Award.holder).load_only(User.id, User.name).lazyload(User.role_links),
            joinedload(Award.employer).load_only(Organisation.id, Organisation.name),
            lazyload(Award.line_manager),
            lazyload(Award.psw),
            lazyload(Award.application),
        )
        .order_by(User.name, Award.id)
    )
    if cohort is None:
        return stmt.options(joinedload(Award.cohort))
    return stmt.where(Award.cohort_id == cohort.id)


def cohort_and_total(cohort_id: int) -> tuple[Cohort, int] | None:
    """The cohort and how many award holders it has, in one query (None: no such cohort)."""
    if not 0 < cohort_id <= INT_MAX:
        return None
    holders = select(func.count(Award.id)).where(Award.cohort_id == Cohort.id).scalar_subquery()
    row = db.session.execute(select(Cohort, holders).where(Cohort.id == cohort_id)).first()
    return None if row is None else (row[0], int(row[1]))


@cache
def _meetings_stmt() -> Select:
    """Built once (the awards are an expanding parameter, "ids")."""
    three_way_day = case((Meeting.kind == MeetingKind.THREE_WAY, Meeting.held_on))
    return (
        select(Attendee.award_id, Meeting.kind, func.max(Meeting.held_on), func.count(Meeting.id))
        .join(Meeting, Meeting.id == Attendee.meeting_id)
        .where(Attendee.award_id.in_(bindparam("ids", expanding=True)))
        .group_by(Attendee.award_id, Meeting.kind, three_way_day)
    )


def _meetings(
    award_ids: list[int],
) -> tuple[dict[int, dict[str, tuple[int, date | None]]], dict[int, list[date]]]:
    """Per award: {kind: (meetings, the last one's date)} and the dates of its three-way
    meetings (one entry per meeting), in one query: grouped by kind, and three-way meetings
    by day as well (grouping every kind by day returned twenty rows an award)."""
    counts: dict[int, dict[str, tuple[int, date | None]]] = {a: {} for a in award_ids}
    held: dict[int, list[date]] = {a: [] for a in award_ids}
    if not award_ids:
        return counts, held
    for award_id, kind, day, n in db.session.execute(_meetings_stmt(), {"ids": award_ids}):
        n = int(n)
        before, last = counts[award_id].get(kind, (0, None))
        counts[award_id][kind] = (before + n, day if last is None or day > last else last)
        if kind == MeetingKind.THREE_WAY:
            held[award_id].extend([day] * n)
    return counts, held


@cache
def _names_stmt() -> Select:
    """Built once (the awards are an expanding parameter, "ids")."""
    return (
        select(Allocation.award_id, Allocation.kind, User.id, User.name)
        .join(User, User.id == Allocation.user_id)
        .where(
            Allocation.award_id.in_(bindparam("ids", expanding=True)),
            Allocation.ended_on.is_(None),
        )
    )


def current_names(award_ids: list[int]) -> dict[int, dict[PoolKind, Person]]:
    """{award_id: {kind: the current supervisor or coach}}, names only, in one query."""
    out: dict[int, dict[PoolKind, Person]] = {a: {} for a in award_ids}
    if not award_ids:
        return out
    for award_id, kind, user_id, name in db.session.execute(_names_stmt(), {"ids": award_ids}):
        out[award_id][PoolKind(kind)] = Person(user_id, name)
    return out


def current_people(award_ids: list[int]) -> dict[int, dict[PoolKind, User]]:
    out: dict[int, dict[PoolKind, User]] = {a: {} for a in award_ids}
    if not award_ids:
        return out
    rows = db.session.scalars(
        select(Allocation)
        .options(joinedload(Allocation.user).lazyload(User.role_links))
        .where(Allocation.award_id.in_(award_ids), Allocation.ended_on.is_(None))
    )
    for a in rows:
        out[a.award_id][a.kind] = a.user
    return out


def holder_rows(awards: list[Award], today: date, outputs: bool = False) -> list[HolderRow]:
    """Days taken and remaining (the release ledger), at-risk, meetings, three-way status,
    the current supervisor and coach and (`outputs`: only where the page shows them) the
    outputs, for a page of awards in three queries (four with outputs)."""
    ids = [a.id for a in awards]
    sums = ledger.balances_for(ids)
    counts, held = _meetings(ids)
    people = current_names(ids)
    lines = outputs_for(ids, today) if outputs else {}
    cohort_windows: dict[int, list[tuple[date, date]]] = {}
    rows = []
    for a in awards:
        bal = ledger.balance(a, sums[a.id])
        taken = sum(b.taken for b in bal.values())
        remaining = sum(b.entitled - b.taken for b in bal.values())
        pace = ledger.pace(a, today, sums[a.id])
        c = counts[a.id]
        sup = c.get(MeetingKind.SUPERVISION, (0, None))
        coach = [c.get(k, (0, None)) for k in (MeetingKind.COACHING, MeetingKind.GROUP_COACHING)]
        lasts = [v[1] for v in c.values() if v[1] is not None]
        if a.cohort_id not in cohort_windows:
            cohort_windows[a.cohort_id] = windows(a.cohort)
        mine = people[a.id]
        rows.append(
            HolderRow(
                award=a,
                days_taken=taken,
                days_remaining=remaining,
                at_risk=pace.at_risk,
                ended=pace.ended,
                supervision=sup[0],
                coaching=sum(n for n, _ in coach),
                last_contact=max(lasts) if lasts else None,
                three_way=three_way_status(
                    a.cohort, held[a.id], today, cohort_windows[a.cohort_id]
                ),
                supervisor=mine.get(PoolKind.SUPERVISOR),
                coach=mine.get(PoolKind.COACH),
                outputs=lines.get(a.id, []),
            )
        )
    return rows
