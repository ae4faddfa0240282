"""The onboarding checklist per award holder: what has to be in place early in the year
(the first cohort's library access came late), each item dated and with who did it.

Supervisor and coach allocated and residential registration are read from their own
records; the other items are ticked by the people they belong to (staff can tick any):
the award holder records asking for library access, the line manager acknowledges the
managers' handbook, the line manager or assistant director records the learning
agreement signed. The last two tick themselves when their records in app.documents say
so (all three signatures; the line manager's acknowledgement), through `record_done`.
Each tick or untick locks the award row, so two people ticking the same item at once give
one tick and a clear message to the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    delete,
    exists,
    func,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import User
from app.awards.models import Award
from app.core import audit, state
from app.core.formatting import format_date
from app.core.roles import Role
from app.extensions import db
from app.release import services as ledger
from app.residentials.models import Attendance, Registration, Workshop
from app.supervision import policy
from app.supervision.models import Allocation, OnboardingItem, OnboardingTick, PoolKind
from app.supervision.services import SupervisionError

# Every item in the order shown: derived ones are read from other records.
KEYS = [
    "supervisor",
    "coach",
    *(i.value for i in OnboardingItem),
    "residential",
]
LABELS = {
    "supervisor": "Academic supervisor allocated",
    "coach": "Coach allocated",
    **{i.value: i.label for i in OnboardingItem},
    "residential": "Residential workshops registration done",
}
DERIVED_FROM = {
    "supervisor": "From the allocation",
    "coach": "From the allocation",
    "residential": "From the award holder's replies and the registers",
}
WHO_TICKS = {
    OnboardingItem.LIBRARY_REQUESTED: "the award holder or programme staff",
    OnboardingItem.LIBRARY_GRANTED: "programme staff",
    OnboardingItem.LEARNING_AGREEMENT: (
        "the line manager, an assistant director of the employer or programme staff"
    ),
    OnboardingItem.HANDBOOK: "the line manager or programme staff",
    OnboardingItem.BACKFILL: "programme staff",
}


class AlreadyDone(SupervisionError, state.Conflict):
    """Someone ticked (or unticked) the item first; nothing changed."""


# Who may do what --------------------------------------------------------------------


def can_see(user: User, award: Award, today: date) -> bool:
    """Staff, the award holder, their line manager (or today's delegate) and an assistant
    director of the employer. Supervisors and coaches do not see it."""
    if user.has_role(Role.STAFF):
        return True
    if award.holder_id == user.id and user.has_role(Role.AWARD_HOLDER):
        return True
    if award.employer_id in policy.director_org_ids(user):
        return True
    return ledger.acting_for(user, award, today) is not None


def can_tick(user: User, award: Award, item: OnboardingItem) -> bool:
    if user.has_role(Role.STAFF):
        return True
    if item is OnboardingItem.LIBRARY_REQUESTED:
        return award.holder_id == user.id and user.has_role(Role.AWARD_HOLDER)
    manager = award.line_manager_id == user.id and user.has_role(Role.LINE_MANAGER)
    if item is OnboardingItem.HANDBOOK:
        return manager
    if item is OnboardingItem.LEARNING_AGREEMENT:
        return manager or award.employer_id in policy.director_org_ids(user)
    return False


# Ticking ----------------------------------------------------------------------------


def _tick_row(award: Award, item: OnboardingItem) -> OnboardingTick | None:
    return db.session.scalar(
        select(OnboardingTick)
        .options(joinedload(OnboardingTick.ticked_by))
        .where(OnboardingTick.award_id == award.id, OnboardingTick.item == item)
    )


def tick(award: Award, item: OnboardingItem, actor: User, today: date) -> OnboardingTick:
    """Tick `item` for the award holder, dated today."""
    if not can_tick(actor, award, item):
        raise SupervisionError(f"Only {WHO_TICKS[item]} can tick this item. Nothing was changed.")
    state.lock(award)
    found = _tick_row(award, item)
    if found is not None:
        by = found.ticked_by.name if found.ticked_by else "someone"
        raise AlreadyDone(
            f"{item.label} was already ticked by {by} on {format_date(found.done_on)}. "
            "Nothing was changed."
        )
    if item is OnboardingItem.LIBRARY_GRANTED and (
        _tick_row(award, OnboardingItem.LIBRARY_REQUESTED) is None
    ):
        raise SupervisionError(
            "Record that library access was requested before recording it granted. "
            "Nothing was changed."
        )
    row = OnboardingTick(award_id=award.id, item=item, done_on=today, ticked_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(
        "supervision.onboarding_ticked",
        award,
        actor=actor,
        summary=f"{item.label} for {award.holder.name}",
        changes={item.value: [None, today]},
    )
    return row


def record_done(award: Award, item: OnboardingItem, actor: User, today: date) -> None:
    """Tick `item` because its own record now says it is done: the learning agreement
    signed by all three, the line manager's acknowledgement of the managers' handbook
    (app.documents). The record's service has checked who acted, so no permission check
    here; an item already ticked (by hand, for a paper agreement) stays as it was."""
    state.lock(award)
    if _tick_row(award, item) is not None:
        return
    db.session.add(
        OnboardingTick(award_id=award.id, item=item, done_on=today, ticked_by_id=actor.id)
    )
    db.session.flush()
    audit.record(
        "supervision.onboarding_ticked",
        award,
        actor=actor,
        summary=f"{item.label} for {award.holder.name} (from its record)",
        changes={item.value: [None, today]},
    )


def untick(award: Award, item: OnboardingItem, actor: User) -> None:
    """Take a tick back (ticked by mistake): the audit log keeps who did both."""
    if not can_tick(actor, award, item):
        raise SupervisionError(f"Only {WHO_TICKS[item]} can change this item. Nothing was changed.")
    state.lock(award)
    found = _tick_row(award, item)
    if found is None:
        raise AlreadyDone(f"{item.label} is not ticked. Nothing was changed.")
    if item is OnboardingItem.LIBRARY_REQUESTED and (
        _tick_row(award, OnboardingItem.LIBRARY_GRANTED) is not None
    ):
        raise SupervisionError(
            "Library access is recorded as granted. Untick that first. Nothing was changed."
        )
    db.session.execute(delete(OnboardingTick).where(OnboardingTick.id == found.id))
    audit.record(
        "supervision.onboarding_unticked",
        award,
        actor=actor,
        summary=f"{item.label} unticked for {award.holder.name}",
        changes={item.value: [found.done_on, None]},
    )


# Reading ----------------------------------------------------------------------------


@dataclass
class Check:
    key: str
    done_on: date | None = None
    by: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def item(self) -> OnboardingItem | None:
        return None if self.key in DERIVED_FROM else OnboardingItem(self.key)

    @property
    def done(self) -> bool:
        return self.done_on is not None


@dataclass
class Checklist:
    award: Award
    checks: list[Check]

    @property
    def outstanding(self) -> list[Check]:
        return [c for c in self.checks if not c.done]

    @property
    def complete(self) -> bool:
        return not self.outstanding


@cache
def _checklist_stmts() -> tuple[Select, Select]:
    """Built once (the awards are an expanding parameter, "ids"): building them cost as
    much as running them.

    The first: the ticked items (by whom) and the first allocation of each kind (by
    nobody: it is read from the allocation), as (award, key, date, by). The second, per
    award: how many workshops of its cohort it has replied for or been marked at, the
    last of those first answers, and how many workshops the cohort has."""
    ids = bindparam("ids", expanding=True)
    ticked = (
        select(
            OnboardingTick.award_id,
            type_coerce(OnboardingTick.item, String),
            OnboardingTick.done_on,
            func.coalesce(User.name, "a former user"),
        )
        .outerjoin(User, User.id == OnboardingTick.ticked_by_id)
        .where(OnboardingTick.award_id.in_(ids))
    )
    allocated = (
        select(
            Allocation.award_id,
            type_coerce(Allocation.kind, String),
            func.min(Allocation.started_on),
            type_coerce(null(), String),
        )
        .where(Allocation.award_id.in_(ids))
        .group_by(Allocation.award_id, Allocation.kind)
    )
    answers = union_all(
        select(Registration.award_id, Registration.workshop_id, Registration.updated_at).where(
            Registration.award_id.in_(ids)
        ),
        select(Attendance.award_id, Attendance.workshop_id, Attendance.marked_at).where(
            Attendance.award_id.in_(ids)
        ),
    ).subquery()
    first = (
        select(answers.c.award_id, answers.c.workshop_id, func.min(answers.c.updated_at))
        .group_by(answers.c.award_id, answers.c.workshop_id)
        .subquery()
    )
    other = aliased(Workshop)
    wanted = (
        select(func.count(other.id))
        .where(other.cohort_id == Award.cohort_id)
        .correlate(Award)
        .scalar_subquery()
    )
    residential = (
        select(Award.id, func.count(), func.max(first.c[2]), wanted)
        .join(first, first.c.award_id == Award.id)
        .join(
            Workshop,
            and_(Workshop.id == first.c.workshop_id, Workshop.cohort_id == Award.cohort_id),
        )
        .group_by(Award.id, Award.cohort_id)
    )
    return ticked.union_all(allocated), residential


def checklists(awards: list[Award]) -> list[Checklist]:
    """The checklist of each award, for a page of awards in two queries. Residential
    registration is done when the holder has replied for, or been marked on the register
    of, every workshop of their cohort."""
    ids = [a.id for a in awards]
    found: dict[int, dict[str, Check]] = {a: {} for a in ids}
    if ids:
        facts, residential = _checklist_stmts()
        for award_id, key, done_on, by in db.session.execute(facts, {"ids": ids}):
            found[award_id][key] = Check(key, done_on, DERIVED_FROM[key] if by is None else by)
        for award_id, answered, last, workshops in db.session.execute(residential, {"ids": ids}):
            if answered == workshops:
                found[award_id]["residential"] = Check(
                    "residential", last.date(), DERIVED_FROM["residential"]
                )
    return [Checklist(a, [found[a.id].get(k) or Check(k) for k in KEYS]) for a in awards]


@cache
def missing(key: str) -> ColumnElement[bool]:
    """SQL: the award (in `Award`) lacks checklist item `key` (built once per key: an
    expression holds no values, so every request can share it)."""
    if key in ("supervisor", "coach"):
        return ~exists().where(
            Allocation.award_id == Award.id,
            Allocation.kind == PoolKind(key),
            Allocation.ended_on.is_(None),
        )
    if key == "residential":
        # no workshops yet, or one the holder has neither replied for nor been marked at
        replied = (
            exists()
            .where(Registration.workshop_id == Workshop.id, Registration.award_id == Award.id)
            .correlate(Workshop, Award)
        )
        marked = (
            exists()
            .where(Attendance.workshop_id == Workshop.id, Attendance.award_id == Award.id)
            .correlate(Workshop, Award)
        )
        unanswered = (
            exists()
            .where(Workshop.cohort_id == Award.cohort_id, ~replied, ~marked)
            .correlate(Award)
        )
        none_yet = ~exists().where(Workshop.cohort_id == Award.cohort_id).correlate(Award)
        return or_(none_yet, unanswered)
    return ~exists().where(
        OnboardingTick.award_id == Award.id, OnboardingTick.item == OnboardingItem(key)
    )


@cache
def incomplete() -> ColumnElement[bool]:
    return or_(*(missing(k) for k in KEYS))


@cache
def _outstanding_stmt() -> Select:
    """Built once: the statement is the same for every cohort (the cohort is a bound
    parameter), and building its EXISTS clauses cost more than running them. One row an
    award holder, a flag an item: summed here, each clause runs once an award (summing
    in SQL ran every clause twice, once for its item and once for "any")."""
    return select(*(missing(k).label(k) for k in KEYS)).where(
        Award.cohort_id == bindparam("cohort_id")
    )


def outstanding_counts(cohort_id: int) -> dict[str, int]:
    """{key: award holders in the cohort without it}, "any" and "total", in one query."""
    counts = dict.fromkeys([*KEYS, "any", "total"], 0)
    for flags in db.session.execute(_outstanding_stmt(), {"cohort_id": cohort_id}):
        counts["total"] += 1
        counts["any"] += any(flags)
        for key, lacking in zip(KEYS, flags, strict=True):
            counts[key] += bool(lacking)
    return counts
