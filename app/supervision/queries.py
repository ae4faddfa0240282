"""What the supervision pages read: the three suggested three-way meeting windows and
their status, and rows of award holders with their days, meetings and allocations, each
figure for a whole page in one query (the page's query count does not grow with it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, lazyload

from app.accounts.models import User
from app.awards.models import Award, AwardOutput, OutputKind
from app.cohorts.models import Cohort
from app.extensions import db
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


def three_way_status(cohort: Cohort, held: list[date], today: date) -> list[Window]:
    """Each window's status. A meeting counts for the earliest window not yet done that has
    opened by its date, so a late meeting catches up an overdue window."""
    result = [Window(n + 1, s, e) for n, (s, e) in enumerate(windows(cohort))]
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
    supervisor: User | None = None
    coach: User | None = None
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


def award_stmt() -> Select:
    """Awards with their holder and cohort loaded (not the holder's roles)."""
    return (
        select(Award)
        .join(User, User.id == Award.holder_id)
        .options(
            joinedload(Award.holder).lazyload(User.role_links),
            joinedload(Award.cohort),
            joinedload(Award.employer),
            lazyload(Award.line_manager),
            lazyload(Award.psw),
            lazyload(Award.application),
        )
        .order_by(User.name, Award.id)
    )


def _meetings(
    award_ids: list[int],
) -> tuple[dict[int, dict[str, tuple[int, date | None]]], dict[int, list[date]]]:
    """Per award: {kind: (meetings, the last one's date)} and the dates of its three-way
    meetings (one entry per meeting), in one query grouped by day (it was two)."""
    counts: dict[int, dict[str, tuple[int, date | None]]] = {a: {} for a in award_ids}
    held: dict[int, list[date]] = {a: [] for a in award_ids}
    if not award_ids:
        return counts, held
    rows = db.session.execute(
        select(Attendee.award_id, Meeting.kind, Meeting.held_on, func.count(Meeting.id))
        .join(Meeting, Meeting.id == Attendee.meeting_id)
        .where(Attendee.award_id.in_(award_ids))
        .group_by(Attendee.award_id, Meeting.kind, Meeting.held_on)
    )
    for award_id, kind, day, n in rows:
        n = int(n)
        before, last = counts[award_id].get(kind, (0, None))
        counts[award_id][kind] = (before + n, day if last is None or day > last else last)
        if kind == MeetingKind.THREE_WAY:
            held[award_id].extend([day] * n)
    return counts, held


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


def holder_rows(awards: list[Award], today: date) -> list[HolderRow]:
    """Days taken and remaining (the release ledger), at-risk, meetings, three-way status
    the current supervisor and coach and the outputs, for a page of awards in five queries."""
    ids = [a.id for a in awards]
    sums = ledger.balances_for(ids)
    counts, held = _meetings(ids)
    people = current_people(ids)
    outputs = outputs_for(ids, today)
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
                three_way=three_way_status(a.cohort, held[a.id], today),
                supervisor=people[a.id].get(PoolKind.SUPERVISOR),
                coach=people[a.id].get(PoolKind.COACH),
                outputs=outputs[a.id],
            )
        )
    return rows
