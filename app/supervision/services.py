"""The rules of supervision and coaching: keeping the pools, allocating (capacity, with an
explicit override), replacing someone with the history kept, and logging meetings.

Every write validates first, changes rows in the caller's transaction and leaves one
audit entry; emails are queued in the same transaction. Allocation locks the award row,
then the supervisor's or coach's pool row, before counting their load: twenty
allocations at once against the last place give one, never two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core import audit, state
from app.core.db import utcnow
from app.core.formatting import format_date
from app.core.mail import external_url, queue_email
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Membership, Organisation, OrgKind
from app.supervision.models import (
    MAX_CAPACITY,
    Allocation,
    Attendee,
    Meeting,
    MeetingKind,
    PoolKind,
    PoolMember,
)

MAX_GROUP = 30


class SupervisionError(Exception):
    """A rule refused the action; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class AlreadyConfirmed(SupervisionError, state.Conflict):
    """The holder confirmed the entry already (perhaps in another tab); nothing changed."""


def _staff(actor: User) -> None:
    if not actor.has_role(Role.STAFF):
        raise SupervisionError("Only programme staff can do this.")


def year_ended(cohort: Cohort, today: date) -> bool:
    return today > cohort.programme_end


# Pools --------------------------------------------------------------------------------


def universities_of(user: User) -> list[Organisation]:
    """The universities the person belongs to (their membership says where they work)."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id, Organisation.kind == OrgKind.UNIVERSITY)
            .order_by(Organisation.name)
        )
    )


def loads(pool_ids: list[int]) -> dict[int, int]:
    """{pool_id: award holders currently allocated} in one query."""
    if not pool_ids:
        return {}
    rows = db.session.execute(
        select(Allocation.pool_id, func.count(Allocation.id))
        .where(Allocation.pool_id.in_(pool_ids), Allocation.ended_on.is_(None))
        .group_by(Allocation.pool_id)
    )
    found = dict(rows.all())
    return {p: int(found.get(p, 0)) for p in pool_ids}


def add_to_pool(
    cohort: Cohort,
    actor: User,
    person: User,
    kind: PoolKind,
    *,
    capacity: int,
    expertise: str,
    university_id: int | None,
    today: date,
) -> PoolMember:
    _staff(actor)
    if year_ended(cohort, today):
        raise SupervisionError(f"Cohort {cohort.name}'s programme year has ended.")
    if not person.is_active or not person.has_role(kind.role):
        raise SupervisionError(
            f"{person.name} is not an {kind.label.lower()}. Give them the role on the "
            "People page first (an invited role must be confirmed)."
            if kind is PoolKind.SUPERVISOR
            else f"{person.name} is not a coach. Give them the role on the People page first.",
            "person",
        )
    if not 0 <= capacity <= MAX_CAPACITY:
        raise SupervisionError(f"Capacity must be between 0 and {MAX_CAPACITY}", "capacity")
    university = None
    if kind is PoolKind.SUPERVISOR:
        allowed = {u.id: u for u in universities_of(person)}
        university = allowed.get(university_id or 0)
        if university is None:
            raise SupervisionError(
                f"Choose the university {person.name} works for (add them to it on the "
                "People page if it is not listed)",
                "university",
            )
    state.lock(cohort)
    exists = db.session.scalar(
        select(PoolMember.id).where(
            PoolMember.cohort_id == cohort.id,
            PoolMember.user_id == person.id,
            PoolMember.kind == kind,
        )
    )
    if exists:
        raise SupervisionError(
            f"{person.name} is already in this cohort's {kind.label.lower()}s", "person"
        )
    member = PoolMember(
        cohort_id=cohort.id,
        user_id=person.id,
        kind=kind,
        university_id=university.id if university else None,
        expertise=expertise.strip(),
        capacity=capacity,
    )
    db.session.add(member)
    db.session.flush()
    audit.record(
        "supervision.pool_added",
        member,
        actor=actor,
        summary=f"{person.name} added as {kind.label.lower()} for cohort {cohort.name}",
        changes={
            "capacity": [None, capacity],
            "expertise": [None, member.expertise],
            "university": [None, university.name if university else None],
        },
    )
    return member


def change_pool(member: PoolMember, actor: User, *, capacity: int, expertise: str) -> None:
    """Change capacity or expertise. Lowering capacity below the current load is allowed
    (nobody is moved), but says so in the audit entry."""
    _staff(actor)
    state.lock(member)
    if not 0 <= capacity <= MAX_CAPACITY:
        raise SupervisionError(f"Capacity must be between 0 and {MAX_CAPACITY}", "capacity")
    before = {"capacity": member.capacity, "expertise": member.expertise}
    member.capacity, member.expertise = capacity, expertise.strip()
    changes = audit.diff(before, {"capacity": capacity, "expertise": member.expertise})
    if not changes:
        return
    audit.record(
        "supervision.pool_changed",
        member,
        actor=actor,
        summary=f"{member.user.name}'s capacity or expertise changed",
        changes=changes,
    )


# Allocation ---------------------------------------------------------------------------


def current(award_id: int, kind: PoolKind) -> Allocation | None:
    return db.session.scalar(
        select(Allocation).where(
            Allocation.award_id == award_id, Allocation.kind == kind, Allocation.ended_on.is_(None)
        )
    )


def allocate(
    award: Award,
    member: PoolMember,
    actor: User,
    *,
    reason: str,
    override_reason: str,
    today: date,
) -> Allocation:
    """Allocate `member` to the award holder, replacing whoever holds the place now."""
    _staff(actor)
    kind = member.kind
    if year_ended(award.cohort, today):
        raise SupervisionError(
            f"Cohort {award.cohort.name}'s programme year ended on "
            f"{format_date(award.cohort.programme_end)}. Allocations can no longer change.",
            "member",
        )
    if member.cohort_id != award.cohort_id:
        raise SupervisionError(
            f"Choose a {kind.label.lower()} from cohort {award.cohort.name}", "member"
        )
    person = member.user
    if not person.is_active or not person.has_role(kind.role):
        raise SupervisionError(
            f"{person.name} is no longer a {kind.label.lower()}. Choose someone else.", "member"
        )
    # Lock order: award, then pool row. The award lock keeps one current allocation
    # per kind; the pool lock keeps the load under capacity.
    state.lock(award)
    state.lock(member)
    before = current(award.id, kind)
    if before is not None and before.pool_id == member.id:
        raise SupervisionError(
            f"{person.name} is already {award.holder.name}'s {kind.label.lower()}", "member"
        )
    reason, override_reason = reason.strip(), override_reason.strip()
    if before is not None and not reason:
        raise SupervisionError(
            f"Say why {before.user.name} is being replaced (for example, illness)", "reason"
        )
    load = loads([member.id])[member.id]
    if load >= member.capacity and not override_reason:
        raise SupervisionError(
            f"{person.name} already has {load} award holder{'s' if load != 1 else ''} and "
            f"capacity for {member.capacity}. To allocate them anyway, give a reason for "
            "going over capacity.",
            "override_reason",
        )
    if before is not None:
        before.ended_on = today
        before.end_reason = reason
        before.ended_by_id = actor.id
        db.session.flush()  # the old row stops being current before the new one starts
    new = Allocation(
        award_id=award.id,
        pool_id=member.id,
        user_id=person.id,
        kind=kind,
        started_on=today,
        reason=reason,
        override_reason=override_reason if load >= member.capacity else "",
        allocated_by_id=actor.id,
    )
    db.session.add(new)
    db.session.flush()
    audit.record(
        "supervision.reallocated" if before else "supervision.allocated",
        award,
        actor=actor,
        summary=(
            f"{kind.label} for {award.holder.name}: "
            + (f"{before.user.name} replaced by {person.name}" if before else person.name)
            + (" (over capacity)" if new.override_reason else "")
        ),
        changes={
            kind.value: [before.user.name if before else None, person.name],
            **({"reason": [None, reason]} if reason else {}),
            **({"override_reason": [None, new.override_reason]} if new.override_reason else {}),
        },
    )
    _tell_allocated(award, new, before)
    return new


def _tell_allocated(award: Award, new: Allocation, before: Allocation | None) -> None:
    url = external_url("supervision.award", award_id=award.id)
    people = [award.holder, award.line_manager, new.user]
    for person in [p for p in people if p is not None]:
        queue_email(
            person.email,
            f"{new.user.name} is {award.holder.name}'s {new.kind.label.lower()}",
            "supervision_allocated",
            user=person,
            recipient=person,
            award=award,
            allocation=new,
            before=before,
            url=url,
        )
    if before is not None:
        queue_email(
            before.user.email,
            f"You are no longer {award.holder.name}'s {before.kind.label.lower()}",
            "supervision_ended",
            user=before.user,
            award=award,
            allocation=before,
            successor=new.user,
        )


# Meetings -----------------------------------------------------------------------------


@dataclass
class MeetingDetails:
    kind: MeetingKind
    held_on: date
    minutes: int
    notes: str
    actions: str
    award_ids: list[int]


def allocated_awards(user: User, kind: PoolKind, on: date | None = None) -> list[Award]:
    """Awards `user` supervises or coaches: now, or on the date `on`."""
    mine = select(Allocation.award_id).where(Allocation.user_id == user.id, Allocation.kind == kind)
    if on is None:
        mine = mine.where(Allocation.ended_on.is_(None))
    else:
        mine = mine.where(
            Allocation.started_on <= on,
            (Allocation.ended_on.is_(None)) | (Allocation.ended_on >= on),
        )
    return list(
        db.session.scalars(
            select(Award)
            .join(User, User.id == Award.holder_id)
            .where(Award.id.in_(mine))
            .order_by(User.name, Award.id)
        )
    )


def _allocated_on(user: User, award: Award, kind: PoolKind, day: date) -> bool:
    """Was `user` this holder's supervisor (or coach) on `day`, or are they now?"""
    rows = db.session.scalars(
        select(Allocation).where(
            Allocation.award_id == award.id, Allocation.user_id == user.id, Allocation.kind == kind
        )
    )
    return any(a.covers(day) or a.ended_on is None for a in rows)


def _check_date(cohort: Cohort, held_on: date, today: date) -> None:
    if held_on > today:
        raise SupervisionError("The meeting date must be today or in the past", "held_on")
    if not cohort.programme_start <= held_on <= cohort.programme_end:
        raise SupervisionError(
            "The meeting must be inside the programme year "
            f"({format_date(cohort.programme_start)} to {format_date(cohort.programme_end)})",
            "held_on",
        )


def meeting_kinds_for(user: User) -> list[MeetingKind]:
    kinds: list[MeetingKind] = []
    if user.has_role(Role.SUPERVISOR):
        kinds += [MeetingKind.SUPERVISION, MeetingKind.THREE_WAY]
    if user.has_role(Role.COACH):
        kinds += [MeetingKind.COACHING, MeetingKind.GROUP_COACHING]
    if user.has_role(Role.AWARD_HOLDER):
        for k in MeetingKind:
            if k not in kinds and k is not MeetingKind.GROUP_COACHING:
                kinds.append(k)
    return kinds


def log_meeting(actor: User, details: MeetingDetails, today: date) -> Meeting:
    """Log a meeting. A supervisor or coach logs for the holders allocated to them; an
    award holder logs their own (with their supervisor or coach as the other attendee)."""
    kind = details.kind
    if kind not in meeting_kinds_for(actor):
        raise SupervisionError("You cannot log that kind of meeting", "kind")
    ids = list(dict.fromkeys(details.award_ids))
    if not ids:
        raise SupervisionError("Choose the award holder who was at the meeting", "award_ids")
    if len(ids) > MAX_GROUP:
        raise SupervisionError(f"A meeting can have at most {MAX_GROUP} award holders")
    if kind is MeetingKind.GROUP_COACHING and len(ids) < 2:
        raise SupervisionError(
            "A group session needs at least two award holders. For one, log an individual session.",
            "award_ids",
        )
    if kind is not MeetingKind.GROUP_COACHING and len(ids) > 1:
        raise SupervisionError(f"Choose one award holder for a {kind.short.lower()}", "award_ids")
    if not 1 <= details.minutes <= 600:
        raise SupervisionError("Length must be between 1 and 600 minutes", "minutes")
    awards = list(db.session.scalars(select(Award).where(Award.id.in_(ids))))
    if len(awards) != len(ids):
        raise SupervisionError("Choose award holders from the list", "award_ids")
    cohort = awards[0].cohort
    if any(a.cohort_id != cohort.id for a in awards):
        raise SupervisionError("A group session is for award holders of one cohort", "award_ids")
    _check_date(cohort, details.held_on, today)

    attendees: list[tuple[User, Award | None, str]] = []
    staff_kind = PoolKind.COACH if kind.value.endswith("coaching") else PoolKind.SUPERVISOR
    holder_logs = actor.has_role(Role.AWARD_HOLDER) and awards[0].holder_id == actor.id
    if holder_logs:
        award = awards[0]
        other = _person_for(award, staff_kind, details.held_on)
        if other is None:
            raise SupervisionError(
                f"You have no {staff_kind.label.lower()} yet. Programme staff allocate one.",
                "kind",
            )
        attendees += [(actor, award, "award_holder"), (other, None, staff_kind.value)]
    else:
        for award in awards:
            if not _allocated_on(actor, award, staff_kind, details.held_on):
                raise SupervisionError(
                    f"{award.holder.name} is not allocated to you as "
                    f"{'a coachee' if staff_kind is PoolKind.COACH else 'a supervisee'}. "
                    "Nothing was logged.",
                    "award_ids",
                )
            attendees.append((award.holder, award, "award_holder"))
        attendees.append((actor, None, staff_kind.value))
    if kind is MeetingKind.THREE_WAY:
        manager = awards[0].line_manager
        if manager is None:
            raise SupervisionError(
                "This award holder has no line manager on record, so a three-way meeting "
                "cannot be logged. Ask programme staff.",
                "kind",
            )
        attendees.append((manager, None, "line_manager"))

    meeting = Meeting(
        cohort_id=cohort.id,
        kind=kind,
        held_on=details.held_on,
        minutes=details.minutes,
        notes=details.notes.strip(),
        actions=details.actions.strip(),
        logged_by_id=actor.id,
    )
    now = utcnow()
    seen: set[int] = set()
    for person, award, role in attendees:
        if person.id in seen:
            continue
        seen.add(person.id)
        meeting.attendees.append(
            Attendee(
                user_id=person.id,
                award_id=award.id if award else None,
                role=role,
                confirmed_at=now if person.id == actor.id else None,
            )
        )
    db.session.add(meeting)
    db.session.flush()
    audit.record(
        "supervision.meeting_logged",
        meeting,
        actor=actor,
        summary=f"{kind.short} on {format_date(details.held_on)} with "
        + ", ".join(a.holder.name for a in awards),
        changes={"held_on": [None, details.held_on], "minutes": [None, details.minutes]},
    )
    return meeting


def _person_for(award: Award, kind: PoolKind, day: date) -> User | None:
    rows = list(
        db.session.scalars(
            select(Allocation)
            .where(Allocation.award_id == award.id, Allocation.kind == kind)
            .order_by(Allocation.started_on.desc(), Allocation.id.desc())
        )
    )
    for a in rows:
        if a.covers(day):
            return a.user
    return rows[0].user if rows and rows[0].ended_on is None else None


def confirm(meeting: Meeting, holder: User) -> None:
    """The award holder confirms an entry logged for them: compare-and-set on their row."""
    row = next((a for a in meeting.attendees if a.user_id == holder.id and a.award_id), None)
    if row is None:
        raise SupervisionError("Only the award holder in the meeting can confirm it.")
    state.claim(
        row,
        (None,),
        lambda r: AlreadyConfirmed("You confirmed this meeting already. Nothing was changed."),
        attr="confirmed_at",
    )
    row.confirmed_at = utcnow()
    audit.record(
        "supervision.meeting_confirmed",
        meeting,
        actor=holder,
        summary=f"{holder.name} confirmed the {meeting.kind.short.lower()} "
        f"of {format_date(meeting.held_on)}",
        changes={"confirmed": [False, True]},
    )
