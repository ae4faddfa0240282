"""The release ledger's rules: planning, approval, cancellation, confirmation, pace.

Writes lock the award row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
BEGIN IMMEDIATE serialises writers), so two requests at once cannot together pass
the entitlement check; the partial unique index stops a date being booked twice.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.core import audit, state
from app.core.db import utcnow
from app.core.formatting import format_date
from app.core.mail import external_url, queue_email
from app.core.roles import Role
from app.core.workdays import daterange, non_working_reason
from app.extensions import db
from app.organisations.models import Nation
from app.release.models import ACTIVE, DayKind, DayStatus, Delegation, ReleaseDay

MAX_DAYS_PER_REQUEST = 60


class ReleaseError(Exception):
    """A rule refused the action; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class DayChanged(ReleaseError, state.Conflict):
    """Someone else decided, cancelled or confirmed the day first; nothing was written."""


def _days(half_days: int) -> str:
    """Half-day units to plain English: 3 -> '1.5 days', 2 -> '1 day'."""
    value = half_days / 2
    text = f"{value:g}"
    return f"{text} day" if value == 1 else f"{text} days"


# Balances -------------------------------------------------------------------------


@dataclass
class Balance:
    kind: DayKind
    entitled: float
    requested: float = 0
    approved: float = 0
    taken: float = 0
    called_back: float = 0

    @property
    def remaining(self) -> float:
        """Days not yet requested, approved or taken."""
        return self.entitled - self.requested - self.approved - self.taken

    @property
    def committed(self) -> float:
        return self.approved + self.taken


def balances_for(award_ids: list[int]) -> dict[int, dict[DayKind, dict[DayStatus, int]]]:
    """{award_id: {kind: {status: half_days}}} in one GROUP BY query."""
    out: dict[int, dict[DayKind, dict[DayStatus, int]]] = {a: {} for a in award_ids}
    if not award_ids:
        return out
    rows = db.session.execute(
        select(
            ReleaseDay.award_id, ReleaseDay.kind, ReleaseDay.status, func.sum(ReleaseDay.half_days)
        )
        .where(ReleaseDay.award_id.in_(award_ids))
        .group_by(ReleaseDay.award_id, ReleaseDay.kind, ReleaseDay.status)
    )
    for award_id, kind, status, total in rows:
        out[award_id].setdefault(kind, {})[status] = int(total or 0)
    return out


def balance(
    award: Award, sums: dict[DayKind, dict[DayStatus, int]] | None = None
) -> dict[DayKind, Balance]:
    sums = sums if sums is not None else balances_for([award.id])[award.id]
    result = {}
    for kind, entitled in (
        (DayKind.STUDY, award.study_days),
        (DayKind.RESIDENTIAL, award.residential_days),
    ):
        s = sums.get(kind, {})
        result[kind] = Balance(
            kind=kind,
            entitled=entitled,
            requested=s.get(DayStatus.REQUESTED, 0) / 2,
            approved=s.get(DayStatus.APPROVED, 0) / 2,
            taken=s.get(DayStatus.TAKEN, 0) / 2,
            called_back=s.get(DayStatus.CALLED_BACK, 0) / 2,
        )
    return result


# Pace -------------------------------------------------------------------------------


@dataclass
class Pace:
    """How far an award holder is from a steady pace through their release days.

    Kept in tenths of a day, as integers, so Python and SQL (`oversight.pace_sql`) compute
    exactly the same figures: no float rounding can put someone on either side of the
    at-risk line depending on where it was computed."""

    expected_tenths: int  # days approved or taken by now on a straight line, rounded half up
    actual_tenths: int  # approved + taken (all kinds)
    entitled: int
    ended: bool = False  # the programme year is over: nobody is behind any more
    called_back_tenths: int = 0

    @property
    def expected(self) -> float:
        return self.expected_tenths / 10

    @property
    def actual(self) -> float:
        return self.actual_tenths / 10

    @property
    def behind_tenths(self) -> int:
        return 0 if self.ended else max(0, self.expected_tenths - self.actual_tenths)

    @property
    def unaccounted(self) -> float:
        """After the year: days never recorded as approved, taken or called back."""
        left = self.entitled * 10 - self.actual_tenths - self.called_back_tenths
        return max(0, left) / 10 if self.ended else 0

    @property
    def behind(self) -> float:
        return self.behind_tenths / 10

    @property
    def at_risk(self) -> bool:
        """At least two days behind, or at least 10% of the entitlement."""
        return self.behind_tenths >= risk_threshold_tenths(self.entitled)


def risk_threshold_tenths(entitled: int) -> int:
    # 10% of `entitled` days is `entitled` tenths of a day
    return max(20, entitled)


def programme_progress(start: date, end: date, today: date) -> tuple[int, int]:
    """(days elapsed, days in all) of a programme year, elapsed clamped to the year."""
    total = (end - start).days or 1
    return min(max((today - start).days, 0), total), total


def expected_tenths(entitled: int, elapsed: int, total: int) -> int:
    """entitled * elapsed / total in tenths of a day, rounded half up (integers only)."""
    return (entitled * 20 * elapsed + total) // (2 * total)


def pace(award: Award, today: date, sums: dict | None = None) -> Pace:
    cohort = award.cohort
    elapsed, total = programme_progress(cohort.programme_start, cohort.programme_end, today)
    entitled = award.study_days + award.residential_days
    sums = sums if sums is not None else balances_for([award.id])[award.id]
    committed_half_days = sum(
        by_status.get(DayStatus.APPROVED, 0) + by_status.get(DayStatus.TAKEN, 0)
        for by_status in sums.values()
    )
    called_back = sum(s.get(DayStatus.CALLED_BACK, 0) for s in sums.values())
    return Pace(
        expected_tenths=expected_tenths(entitled, elapsed, total),
        actual_tenths=committed_half_days * 5,
        entitled=entitled,
        ended=today > cohort.programme_end,
        called_back_tenths=called_back * 5,
    )


# Access ---------------------------------------------------------------------------


def is_holder(user: User, award: Award) -> bool:
    return award.holder_id == user.id


def acting_for(user: User, award: Award, today: date) -> User | None:
    """The manager `user` may act for on this award: themselves or someone who delegated."""
    if award.line_manager_id is None:
        return None
    if award.line_manager_id == user.id and user.has_role(Role.LINE_MANAGER):
        return user
    delegation = db.session.scalar(
        select(Delegation).where(
            Delegation.manager_id == award.line_manager_id,
            Delegation.delegate_id == user.id,
            Delegation.starts_on <= today,
            Delegation.ends_on >= today,
            Delegation.revoked_at.is_(None),
        )
    )
    return delegation.manager if delegation else None


def can_view(user: User, award: Award, today: date) -> bool:
    """Who may read a ledger: the holder, their line manager (or active delegate), a PSW
    of the employer, and programme staff."""
    if user.has_role(Role.STAFF) or is_holder(user, award):
        return True
    if acting_for(user, award, today) is not None:
        return True
    return user.has_role(Role.PSW) and any(
        m.organisation_id == award.employer_id for m in user.memberships
    )


def managed_award_ids(user: User, today: date) -> list[int]:
    """Awards whose line manager is `user`, or someone who delegated to `user` today."""
    managers = [user.id] + list(
        db.session.scalars(
            select(Delegation.manager_id).where(
                Delegation.delegate_id == user.id,
                Delegation.starts_on <= today,
                Delegation.ends_on >= today,
                Delegation.revoked_at.is_(None),
            )
        )
    )
    return list(db.session.scalars(select(Award.id).where(Award.line_manager_id.in_(managers))))


# Planning ---------------------------------------------------------------------------


@dataclass
class Plan:
    dates: list[date] = field(default_factory=list)
    skipped: list[tuple[date, str]] = field(default_factory=list)


def dates_for_range(start: date, end: date) -> list[date]:
    if end < start:
        raise ReleaseError("The end date must be the same as or after the start date", "end")
    if (end - start).days > 366:
        raise ReleaseError("A range can cover at most a year", "end")
    return list(daterange(start, end))


def dates_for_pattern(start: date, weeks: int, every: int = 1) -> list[date]:
    """The same weekday as `start`, every `every` weeks, `weeks` times."""
    if not 1 <= weeks <= 52:
        raise ReleaseError("Enter a number of weeks from 1 to 52", "weeks")
    return [start + timedelta(weeks=i * every) for i in range(weeks)]


def plan(award: Award, candidates: list[date], nation: Nation) -> Plan:
    """Keep the working days inside the programme that are not already booked."""
    cohort = award.cohort
    booked = set(
        db.session.scalars(
            select(ReleaseDay.day).where(
                ReleaseDay.award_id == award.id, ReleaseDay.status.in_(ACTIVE)
            )
        )
    )
    result = Plan()
    for d in sorted(set(candidates)):
        if d < cohort.programme_start or d > cohort.programme_end:
            result.skipped.append(
                (
                    d,
                    "outside the programme dates "
                    f"({format_date(cohort.programme_start)} to "
                    f"{format_date(cohort.programme_end)})",
                )
            )
        elif reason := non_working_reason(d, nation):
            result.skipped.append((d, reason))
        elif d in booked:
            result.skipped.append((d, "already in your ledger"))
        else:
            result.dates.append(d)
    return result


def _lock(award: Award) -> Award:
    return db.session.scalar(select(Award).where(Award.id == award.id).with_for_update())


def _active_half_days(award_id: int, kind: DayKind) -> int:
    return (
        db.session.scalar(
            select(func.coalesce(func.sum(ReleaseDay.half_days), 0)).where(
                ReleaseDay.award_id == award_id,
                ReleaseDay.kind == kind,
                ReleaseDay.status.in_(ACTIVE),
            )
        )
        or 0
    )


def request_days(
    award: Award, actor: User, candidates: list[date], *, half_day: bool, note: str, today: date
) -> tuple[list[ReleaseDay], Plan]:
    """Request study days. Refuses the whole request if it would pass the entitlement."""
    if not is_holder(actor, award):
        raise ReleaseError("Only the award holder can request their study days.")
    if len(candidates) > MAX_DAYS_PER_REQUEST * 3:
        raise ReleaseError("That covers too many dates. Request fewer at a time.")
    _lock(award)
    result = plan(award, candidates, award.employer.nation)
    if not result.dates:
        raise ReleaseError(
            "None of those dates can be booked: "
            + "; ".join(f"{d:%a} {d.day} {d:%b %Y} is {why}" for d, why in result.skipped[:5])
            + ("" if len(result.skipped) <= 5 else f" (and {len(result.skipped) - 5} more)"),
            "start",
        )
    unit = 1 if half_day else 2
    wanted = unit * len(result.dates)
    used = _active_half_days(award.id, DayKind.STUDY)
    allowed = award.study_days * 2
    if used + wanted > allowed:
        over = used + wanted - allowed
        raise ReleaseError(
            f"This would take you {_days(over)} past your {award.study_days} study days. "
            f"You have {_days(max(allowed - used, 0))} left to request.",
            "start",
        )
    rows = []
    for d in result.dates:
        row = ReleaseDay(
            award_id=award.id,
            day=d,
            half_days=unit,
            kind=DayKind.STUDY,
            status=DayStatus.REQUESTED,
            note=note.strip()[:500],
            retrospective=d < today,
            requested_by_id=actor.id,
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    audit.record(
        "release.requested",
        award,
        actor=actor,
        summary=f"{len(rows)} study day(s) requested",
        changes={"days": [[], [d.isoformat() for d in result.dates]]},
    )
    if award.line_manager is not None:
        queue_email(
            award.line_manager.email,
            f"{award.holder.name} has asked for {_days(wanted)} of study leave",
            "release_requested",
            user=award.line_manager,
            award=award,
            rows=rows,
            url=external_url("release.approvals"),
        )
    return rows, result


def _set(
    row: ReleaseDay, status: DayStatus, actor: User, action: str, reason: str = "", **extra
) -> None:
    before = row.status
    row.status = status
    for key, value in extra.items():
        setattr(row, key, value)
    if reason:
        row.reason = reason.strip()[:2000]
    audit.record(
        action,
        row,
        actor=actor,
        changes={"status": [before, status]},
        summary=f"{row.day.isoformat()} ({row.kind.value})",
    )


# What happened to a day, for the person whose change came second.
_HAPPENED = {
    DayStatus.APPROVED: "approved",
    DayStatus.DECLINED: "declined",
    DayStatus.CANCELLED: "cancelled",
    DayStatus.TAKEN: "confirmed as taken",
    DayStatus.CALLED_BACK: "marked as called back to work",
}
JUST_NOW = timedelta(minutes=10)


def _changed_by(row: ReleaseDay) -> User | None:
    """Who moved the day to its current status (ids, as the row was just read again)."""
    who = {
        DayStatus.APPROVED: row.decided_by_id,
        DayStatus.DECLINED: row.decided_by_id,
        DayStatus.CANCELLED: row.cancelled_by_id,
        DayStatus.TAKEN: row.award.holder_id,
        DayStatus.CALLED_BACK: row.award.holder_id,
    }.get(row.status)
    return db.session.get(User, who) if who else None


def _refuse(actor: User, verb: str, wanted: DayStatus) -> Callable[[ReleaseDay], DayChanged]:
    """The message for a day that moved on: "This day was cancelled by Ann Smith a moment
    ago, so it was not approved." `row` shows the state another request left it in."""

    def refuse(row: ReleaseDay) -> DayChanged:
        who = _changed_by(row)
        if row.status not in _HAPPENED or who is None:
            what = f"This day is {row.status.label.lower()}"
        else:
            when = (
                row.decided_at
                if row.status in (DayStatus.APPROVED, DayStatus.DECLINED)
                else (row.closed_at)
            )
            what = f"This day was {_HAPPENED[row.status]} by " + (
                "you" if who.id == actor.id else who.name
            )
            if when is not None and utcnow() - when < JUST_NOW:
                what += " a moment ago"
        if row.status == wanted:
            return DayChanged(f"{what}, so there was nothing more to do.")
        return DayChanged(f"{what}, so it was not {verb}.")

    return refuse


def decide(row: ReleaseDay, actor: User, *, approve: bool, reason: str, today: date) -> None:
    award = row.award
    manager = acting_for(actor, award, today)
    if manager is None:
        raise ReleaseError(
            "Only the award holder's line manager, or their delegate, can decide this."
        )
    if not approve and not reason.strip():
        raise ReleaseError("Give a reason for declining", "reason")
    outcome = DayStatus.APPROVED if approve else DayStatus.DECLINED
    state.claim(
        row, DayStatus.REQUESTED, _refuse(actor, "approved" if approve else "declined", outcome)
    )
    _set(
        row,
        outcome,
        actor,
        "release.approved" if approve else "release.declined",
        reason,
        decided_by_id=actor.id,
        decided_for_id=manager.id if manager.id != actor.id else None,
        decided_at=utcnow(),
    )


def notify_decisions(award: Award, rows: list[ReleaseDay], actor: User) -> None:
    """One email to the award holder (and the manager when a delegate acted)."""
    if not rows:
        return
    queue_email(
        award.holder.email,
        "Your study day requests have been answered",
        "release_decided",
        user=award.holder,
        award=award,
        rows=rows,
        actor=actor,
        url=external_url("release.ledger", award_id=award.id),
    )
    if award.line_manager is not None and award.line_manager_id != actor.id:
        queue_email(
            award.line_manager.email,
            f"{actor.name} answered study day requests for you",
            "release_decided",
            user=award.line_manager,
            award=award,
            rows=rows,
            actor=actor,
            url=external_url("release.approvals"),
        )


CANCELLABLE = (DayStatus.REQUESTED, DayStatus.APPROVED)


def cancel(
    row: ReleaseDay,
    actor: User,
    *,
    reason: str,
    today: date,
    seen: DayStatus | Collection[DayStatus] = CANCELLABLE,
) -> None:
    """`seen` is the status the person was shown: if the day has moved on since (say the
    manager approved it while the holder was cancelling the request), nothing changes and
    they are told what happened."""
    award = row.award
    expected = (seen,) if isinstance(seen, DayStatus) else tuple(seen)
    state.claim(
        row,
        [s for s in expected if s in CANCELLABLE],
        _refuse(actor, "cancelled", DayStatus.CANCELLED),
    )
    if is_holder(actor, award):
        if row.day <= today and row.status == DayStatus.APPROVED:
            raise ReleaseError(
                "This day has started or passed. Confirm whether you took it instead."
            )
    elif acting_for(actor, award, today) is not None:
        if not reason.strip():
            raise ReleaseError("Give a reason for cancelling an approved day", "reason")
    else:
        raise ReleaseError("You cannot cancel this day.")
    _set(
        row,
        DayStatus.CANCELLED,
        actor,
        "release.cancelled",
        reason,
        cancelled_by_id=actor.id,
        closed_at=utcnow(),
    )
    other = award.line_manager if is_holder(actor, award) else award.holder
    if other is not None:
        queue_email(
            other.email,
            f"Study day on {format_date(row.day)} cancelled",
            "release_cancelled",
            user=other,
            award=award,
            row=row,
            actor=actor,
            url=external_url("release.ledger", award_id=award.id),
        )


def confirm(row: ReleaseDay, actor: User, *, taken: bool, reason: str, today: date) -> None:
    """After the day: the award holder says it was taken, or that they were called back."""
    if not is_holder(actor, row.award):
        raise ReleaseError("Only the award holder can confirm their days.")
    if not taken and not reason.strip():
        raise ReleaseError("Say briefly why you were called back to work", "reason")
    outcome = DayStatus.TAKEN if taken else DayStatus.CALLED_BACK
    state.claim(row, DayStatus.APPROVED, _refuse(actor, "confirmed", outcome))
    if row.day > today:
        raise ReleaseError("You can confirm a day once it has come.")
    _set(
        row,
        outcome,
        actor,
        "release.taken" if taken else "release.called_back",
        reason,
        closed_at=utcnow(),
    )


def record_residential(
    award: Award,
    actor: User,
    day: date,
    *,
    half_day: bool,
    today: date,
    attended: bool = False,
    audited: bool = True,
) -> ReleaseDay:
    """Programme staff record residential workshop days. `attended`: the register says the
    holder was there, so the day is taken even on the day itself. `audited=False`: the
    caller (the residentials register) writes one entry for the whole change."""
    if not actor.has_role(Role.STAFF):
        raise ReleaseError("Only programme staff can record residential days.")
    _lock(award)
    p = plan(award, [day], award.employer.nation)
    if not p.dates:
        raise ReleaseError(f"{format_date(day)} cannot be recorded: {p.skipped[0][1]}", "day")
    unit = 1 if half_day else 2
    if _active_half_days(award.id, DayKind.RESIDENTIAL) + unit > award.residential_days * 2:
        raise ReleaseError(f"This would pass the {award.residential_days} residential days.", "day")
    row = ReleaseDay(
        award_id=award.id,
        day=day,
        half_days=unit,
        kind=DayKind.RESIDENTIAL,
        status=DayStatus.TAKEN if attended or day < today else DayStatus.APPROVED,
        requested_by_id=actor.id,
        decided_by_id=actor.id,
        decided_at=utcnow(),
        retrospective=day < today,
    )
    db.session.add(row)
    db.session.flush()
    if audited:
        audit.record("release.residential_recorded", row, actor=actor, summary=day.isoformat())
    return row


def remove_residential(row: ReleaseDay, actor: User, *, reason: str) -> None:
    """Take a residential day back out of the ledger (the register was corrected: the
    holder was not there). The row stays, cancelled, so the history shows it; no audit
    entry of its own, as the caller records the correction."""
    if not actor.has_role(Role.STAFF):
        raise ReleaseError("Only programme staff can change residential days.")
    if row.kind != DayKind.RESIDENTIAL:
        raise ReleaseError("Only a residential day can be taken back this way.")
    state.claim(row, ACTIVE, _refuse(actor, "cancelled", DayStatus.CANCELLED))
    row.status = DayStatus.CANCELLED
    row.cancelled_by_id = actor.id
    row.closed_at = utcnow()
    row.reason = reason.strip()[:2000]


def add_delegation(manager: User, delegate: User, starts_on: date, ends_on: date) -> Delegation:
    if delegate.id == manager.id:
        raise ReleaseError("Choose a colleague other than yourself", "delegate")
    if ends_on < starts_on:
        raise ReleaseError("The end date must be the same as or after the start date", "ends_on")
    if not delegate.is_active or not delegate.has_role(Role.LINE_MANAGER):
        raise ReleaseError("Choose an active line manager", "delegate")
    d = Delegation(
        manager_id=manager.id, delegate_id=delegate.id, starts_on=starts_on, ends_on=ends_on
    )
    db.session.add(d)
    db.session.flush()
    audit.record(
        "release.delegated",
        d,
        actor=manager,
        summary=f"{delegate.name} from {starts_on} to {ends_on}",
    )
    return d


def revoke_delegation(manager: User, delegation: Delegation) -> None:
    if delegation.manager_id != manager.id:
        raise ReleaseError("You can only end your own delegations.")
    if delegation.revoked_at is not None:
        raise ReleaseError("This delegation has already ended.")
    delegation.revoked_at = utcnow()
    audit.record("release.delegation_revoked", delegation, actor=manager)


def behind_first(rows: list[tuple[Award, Pace]]) -> list[tuple[Award, Pace]]:
    return sorted(rows, key=lambda r: (-r[1].behind, r[0].holder.name))
