"""Bridging services: an alumnus's pathway steps and their stage changes (compare-and-set
through core.state), review slots staff publish, and booking one (a guarded UPDATE: of
parallel bookings of a slot exactly one lands). Each validates, audits and flushes; the
view commits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from app.awards.models import Award
from app.bridging.models import PathwayStep, ReviewSlot, Stage, StepKind
from app.cohorts.models import Cohort
from app.core import audit, state
from app.core.db import utcnow
from app.core.formatting import LONDON
from app.core.mail import external_url, queue_email
from app.core.state import Conflict
from app.extensions import db

MENTOR_MAX = 120


class BridgingError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Changed(BridgingError, Conflict):
    pass


@dataclass(frozen=True)
class StepData:
    kind: StepKind
    stage: Stage
    mentor: str
    started_on: date
    deadline: date | None = None


def _check(data: StepData, award: Award, today: date) -> None:
    if data.started_on > today:
        raise BridgingError("The date you started must be today or in the past", "started_on")
    if data.started_on < award.awarded_at.date():
        raise BridgingError("The date you started must be on or after your award", "started_on")
    if data.deadline is not None and data.deadline < data.started_on:
        raise BridgingError("The deadline must be on or after the date you started", "deadline")
    if len(data.mentor) > MENTOR_MAX:
        raise BridgingError(f"The mentor's name must be {MENTOR_MAX} characters or fewer", "mentor")


def add_step(award: Award, actor, data: StepData, today: date) -> PathwayStep:
    _check(data, award, today)
    step = PathwayStep(
        award=award,
        kind=data.kind,
        stage=data.stage,
        mentor=data.mentor.strip(),
        started_on=data.started_on,
        deadline=data.deadline,
        stage_on=today,
    )
    db.session.add(step)
    db.session.flush()
    audit.record(
        "bridging.step_added",
        step,
        actor=actor,
        changes={"kind": [None, data.kind], "stage": [None, data.stage]},
        summary=f"{data.kind.label} for award {award.id}",
    )
    return step


def _refuse(step: PathwayStep) -> Changed:
    return Changed(
        f"Someone changed this step first: it is now {step.stage.label.lower()}. "
        "Check it and try again.",
        "stage",
    )


def update_step(
    step: PathwayStep, actor, expected: Stage, data: StepData, today: date
) -> PathwayStep:
    """Change the stage (only from the stage the person saw), mentor and dates."""
    _check(data, step.award, today)
    state.claim(step, expected, _refuse, attr="stage")
    before = {"stage": step.stage, "mentor": step.mentor, "deadline": step.deadline}
    if data.stage != step.stage:
        step.stage = data.stage
        step.stage_on = today
    step.mentor = data.mentor.strip()
    step.started_on = data.started_on
    step.deadline = data.deadline
    changes = audit.diff(
        before, {"stage": step.stage, "mentor": step.mentor, "deadline": step.deadline}
    )
    audit.record("bridging.step_updated", step, actor=actor, changes=changes)
    db.session.flush()
    return step


def steps_for(award: Award) -> list[PathwayStep]:
    return list(
        db.session.scalars(
            select(PathwayStep)
            .where(PathwayStep.award_id == award.id)
            .order_by(PathwayStep.started_on.desc(), PathwayStep.id.desc())
        )
    )


# --- review slots ---------------------------------------------------------------------


def london_to_utc(day: date, at: time) -> datetime:
    from datetime import UTC

    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)


def add_slot(
    actor, starts_at: datetime, minutes: int, reviewer: str, where: str, notes: str
) -> ReviewSlot:
    if starts_at <= utcnow():
        raise BridgingError("The review must start in the future", "day")
    if not 15 <= minutes <= 480:
        raise BridgingError("The length must be between 15 and 480 minutes", "minutes")
    slot = ReviewSlot(
        starts_at=starts_at,
        minutes=minutes,
        reviewer=reviewer.strip(),
        where=where.strip(),
        notes=notes.strip(),
        created_by_id=actor.id,
    )
    db.session.add(slot)
    db.session.flush()
    audit.record(
        "bridging.slot_published",
        slot,
        actor=actor,
        changes={"starts_at": [None, starts_at], "reviewer": [None, slot.reviewer]},
    )
    return slot


def book(slot: ReviewSlot, award: Award, actor) -> None:
    """Take the slot for `award`, only while nobody has it (one UPDATE guarded by the
    empty booking: parallel bookings give one booking and 'taken' to the others)."""
    if slot.starts_at <= utcnow():
        raise BridgingError("This review has already started, so it cannot be booked.")
    now = utcnow()
    taken = db.session.execute(
        update(ReviewSlot)
        .where(ReviewSlot.id == slot.id, ReviewSlot.booked_award_id.is_(None))
        .values(booked_award_id=award.id, booked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise Changed("Sorry, someone has just booked this review. Choose another one.")
    db.session.refresh(slot)
    audit.record(
        "bridging.slot_booked",
        slot,
        actor=actor,
        changes={"booked_award_id": [None, award.id]},
        summary=f"Review on {slot.starts_at:%Y-%m-%d %H:%M} UTC booked for award {award.id}",
    )
    _tell_booked(slot, award)


def _tell_booked(slot: ReviewSlot, award: Award) -> None:
    """The alumnus gets the booking in writing, and the staff member who published the
    review learns it is taken (queued with the booking, sent after the commit)."""
    holder = award.holder
    url = external_url("bridging.slots")
    if holder is not None and holder.email:
        queue_email(
            holder.email,
            "Your pre-application review is booked",
            "bridging_review_booked",
            user=holder,
            person=holder,
            holder=holder,
            slot=slot,
            for_staff=False,
            url=url,
        )
    publisher = slot.created_by
    if publisher is not None and publisher.email and publisher.id != award.holder_id:
        queue_email(
            publisher.email,
            f"{holder.name} booked a pre-application review",
            "bridging_review_booked",
            user=publisher,
            person=publisher,
            holder=holder,
            slot=slot,
            for_staff=True,
            url=url,
        )


def cancel(slot: ReviewSlot, award: Award, actor) -> None:
    freed = db.session.execute(
        update(ReviewSlot)
        .where(ReviewSlot.id == slot.id, ReviewSlot.booked_award_id == award.id)
        .values(booked_award_id=None, booked_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if freed != 1:
        raise Changed("This review is not booked by you.")
    db.session.refresh(slot)
    audit.record(
        "bridging.slot_cancelled", slot, actor=actor, changes={"booked_award_id": [award.id, None]}
    )


def open_slots(now: datetime) -> list[ReviewSlot]:
    return list(
        db.session.scalars(
            select(ReviewSlot)
            .where(ReviewSlot.starts_at > now)
            .options(joinedload(ReviewSlot.booked_award).joinedload(Award.holder))
            .order_by(ReviewSlot.starts_at, ReviewSlot.id)
        )
    )


# --- the pipeline ------------------------------------------------------------------------


@dataclass
class Pipeline:
    cohorts: list[tuple[str, Counter]]
    kinds: list[tuple[StepKind, Counter]]
    total: Counter

    @property
    def kind_rows(self) -> list[tuple[str, Counter]]:
        return [(kind.label, counts) for kind, counts in self.kinds]


def pipeline() -> Pipeline:
    """Pathway steps counted by stage, per cohort and per kind of step (one query)."""
    rows = db.session.execute(
        select(Cohort.name, PathwayStep.kind, PathwayStep.stage)
        .join(Award, Award.id == PathwayStep.award_id)
        .join(Cohort, Cohort.id == Award.cohort_id)
        .order_by(Cohort.programme_start, Cohort.id)
    ).all()
    cohorts: dict[str, Counter] = {}
    kinds: dict[StepKind, Counter] = {k: Counter() for k in StepKind}
    total: Counter = Counter()
    for name, kind, stage in rows:
        cohorts.setdefault(name, Counter())[stage] += 1
        kinds[kind][stage] += 1
        total[stage] += 1
    return Pipeline(list(cohorts.items()), list(kinds.items()), total)
