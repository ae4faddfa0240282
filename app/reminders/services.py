"""The reminder sweep: each kind's rule (app.reminders.rules, listed in
app.reminders.registry) finds what is due today, and each reminder is recorded and its
email queued in one savepoint, so it is sent once: a second sweep (another scheduler,
cron, a restart) finds the row and skips it, and two sweeps at once meet at the unique
key, where the second gives way and its email is rolled back with it.

What becomes of a reminder:
- emailed (queued in the outbox with the row; the outbox delivers and retries);
- held for the person's weekly digest (`send_digests`, the scheduler's weekly job);
- skipped, with the reason staff read on the reminders page: nobody named, the person
  left (deactivated), no email address, the person turned this kind off, or (for a
  digest) the thing it was about was deleted before the digest went.
- withdrawn: its email was still in the outbox when what it was about was resolved
  (`withdraw_resolved`, which the outbox runs before each delivery run).
A kind a cohort turned off is not recorded at all. Every reminder not skipped is also the
person's in-app notification.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User, UserStatus
from app.accounts.services import load_with_user
from app.core import audit
from app.core.clock import today as clock_today
from app.core.db import utcnow
from app.core.mail import (
    MailStatus,
    OutboxMessage,
    before_send,
    external_url,
    queue_email,
    withdraw,
)
from app.extensions import db
from app.reminders.models import CohortReminderSetting, Reminder, ReminderPreference
from app.reminders.registry import Due, Kind, kinds, optional_kinds
from app.reminders.rules import working_days_since  # noqa: F401  (kept importable here)


def _recorded(rule: str) -> set[tuple[int, str, int | None]]:
    """(subject, period, person) of the reminders of a kind already recorded: one query
    a kind and sweep, not one a reminder. A sweep racing this one is still stopped by
    the unique key."""
    rows = db.session.execute(
        select(Reminder.subject_id, Reminder.period, Reminder.user_id).where(Reminder.rule == rule)
    )
    return {(s, p, u) for s, p, u in rows}


def cohorts_off() -> set[tuple[int, str]]:
    """(cohort id, kind) pairs staff turned off."""
    return {
        (c, k)
        for c, k in db.session.execute(
            select(CohortReminderSetting.cohort_id, CohortReminderSetting.kind).where(
                CohortReminderSetting.enabled.is_(False)
            )
        )
    }


def skip_reason(kind: Kind, due: Due, prefs: dict | None = None) -> str | None:
    """Why nothing would be sent, or None. `prefs` (person id: their preference row,
    every row) saves a query a person when many are asked about at once."""
    person = due.person
    if person is None:
        return due.missing or "Nobody is named to receive it"
    why = _left(person)
    if why:
        return why
    pref = (
        prefs.get(person.id) if prefs is not None else db.session.get(ReminderPreference, person.id)
    )
    if not kind.mandatory and pref is not None and kind.name in pref.muted_kinds:
        return f"{person.name} turned these reminders off"
    return None


def record(kind: Kind, due: Due, today: date, seen: set) -> bool:
    """Record the reminder and queue its email in one savepoint. True if it was emailed
    or held for a digest now; False if it was there already or is skipped."""
    user_id = due.person.id if due.person is not None else None
    key = (due.subject_id, due.period, user_id)
    if key in seen:
        return False
    seen.add(key)
    reason = skip_reason(kind, due)
    pref = db.session.get(ReminderPreference, user_id) if reason is None else None
    digest = bool(pref and pref.weekly_digest)
    try:
        with db.session.begin_nested():
            row = Reminder(
                rule=kind.name,
                subject_id=due.subject_id,
                period=due.period,
                user_id=user_id,
                due_on=today,
                link=due.link[:500],
                title=due.title[:300],
                skip_reason=reason[:300] if reason else None,
                digest=digest,
            )
            if reason is None and not digest:
                msg = queue_email(
                    due.person.email,
                    due.title[:200],
                    kind.template,
                    user=due.person,
                    url=due.link,
                    text=due.text,
                    **due.extra,
                )
                db.session.flush()
                row.outbox_message_id, row.sent_at = msg.id, utcnow()
            db.session.add(row)
            db.session.flush()
    except IntegrityError:  # another sweep added it first: its email is the one
        return False
    return reason is None


def candidates(
    day: date, off: set[tuple[int, str]] | None = None, only: set[str] | None = None
) -> Iterator[tuple[Kind, Due]]:
    """Every reminder the rules find due on `day`, less the kinds a cohort turned off:
    one pass of each rule (of the kinds named in `only`, if given), nothing written. The
    sweep records these for today; the staff's "coming up" list asks for each of the
    next days; and before an email leaves, `withdraw_resolved` asks again for its day."""
    off = cohorts_off() if off is None else off
    for kind in kinds():
        if only is not None and kind.name not in only:
            continue
        for due in kind.rule(day):
            if due.cohort_id is not None and (due.cohort_id, kind.name) in off:
                continue
            yield kind, due


def sweep(today: date | None = None) -> int:
    """Record every reminder due today that was not recorded before, and queue its email
    (or hold it for a digest). Commits. Returns how many were emailed or held."""
    today = today or clock_today()
    seen: dict[str, set] = {}
    sent = 0
    for kind, due in candidates(today):
        if kind.name not in seen:
            seen[kind.name] = _recorded(kind.name)
        sent += record(kind, due, today, seen[kind.name])
    db.session.commit()
    return sent


# Withdrawn before it leaves ----------------------------------------------------------------

WITHDRAWN = (
    "Withdrawn from the outbox before it left: no longer due (approved, done or deleted meanwhile)"
)


def _key(r: Reminder) -> tuple:
    return (r.due_on, r.rule, r.subject_id, r.period, r.user_id)


def _still_due(rows: list[Reminder]) -> set[tuple]:
    """The keys (`_key`) of those rows that the rules, asked again for each row's day with
    the data as it is now, still find due: one pass of each rule per day among them."""
    off = cohorts_off()
    still: set[tuple] = set()
    for day in sorted({r.due_on for r in rows}):
        names = {r.rule for r in rows if r.due_on == day}
        for kind, due in candidates(day, off, names):
            user_id = due.person.id if due.person is not None else None
            still.add((day, kind.name, due.subject_id, due.period, user_id))
    return still


@before_send
def withdraw_resolved() -> int:
    """Before the outbox sends, take back every reminder email still queued whose rule,
    asked again for the day the reminder was due (with the data as it is now), no longer
    finds it: the manager approved the days, the output went in, the item was deleted.
    Each is withdrawn by a guarded update (queued to withdrawn), so one already claimed
    by a sender is sent, not withdrawn: never both. The reminder is marked not sent, with
    the reason, and audited. One pass of each rule per day among the queued ones; one
    query when nothing is queued. Commits. Returns how many were withdrawn."""
    rows = db.session.scalars(
        select(Reminder)
        .join(OutboxMessage, OutboxMessage.id == Reminder.outbox_message_id)
        .where(OutboxMessage.status == MailStatus.QUEUED, Reminder.skip_reason.is_(None))
        .order_by(Reminder.id)
    ).all()
    if not rows:
        return 0
    still = _still_due(rows)
    withdrawn = 0
    for r in rows:
        if _key(r) in still:
            continue
        if not withdraw(r.outbox_message_id, WITHDRAWN):
            continue  # a sender claimed it first: it goes, once
        r.skip_reason = WITHDRAWN
        withdrawn += 1
        audit.record(
            "reminders.withdrawn",
            r,
            changes={"email": [MailStatus.QUEUED.value, MailStatus.WITHDRAWN.value]},
            summary=f"Reminder email withdrawn before it was sent: {r.title}"[:300],
        )
    db.session.commit()
    return withdrawn


# Coming up: the same rules for each of the next days, nothing written -------------------

COMING_DAYS = 14
COMING_CACHE_SECONDS = 120  # REMINDERS_COMING_UP_SECONDS; 0 under tests


@dataclass(frozen=True)
class Coming:
    """A reminder the rules will find due on `day` (if nothing changes before then), not
    recorded yet: what the page shows, as plain values. `reason`: why it would not be
    sent."""

    day: date
    kind: str
    label: str
    subject_id: int
    period: str
    person_id: int | None
    person_name: str
    person_email: str
    title: str
    link: str
    reason: str | None


_COMING: dict[tuple, tuple[float, list[Coming]]] = {}


def candidates_over(
    start: date, days: int, off: set[tuple[int, str]], only: set[str] | None = None
) -> Iterator[tuple[date, Kind, Due]]:
    """(day, kind, due) of what `candidates` finds on each of `days` days from `start`,
    kind by kind: a rule with a window reads the days' data once and answers each day
    (14 passes of every rule took seconds at national scale); the others run once a
    day. Each kind's days come in order."""
    end = start + timedelta(days=days - 1)
    for kind in kinds():
        if only is not None and kind.name not in only:
            continue
        on = kind.window(start, end) if kind.window is not None else kind.rule
        for i in range(days):
            day = start + timedelta(days=i)
            for due in on(day):
                if due.cohort_id is not None and (due.cohort_id, kind.name) in off:
                    continue
                yield day, kind, due


def _coming_all(start: date, days: int, rule: str) -> list[Coming]:
    off = cohorts_off()
    prefs = {p.user_id: p for p in db.session.scalars(select(ReminderPreference))}
    recorded: dict[str, set] = {}
    found: dict[tuple, Coming] = {}
    for day, kind, due in candidates_over(start, days, off, {rule} if rule else None):
        who = due.person
        if kind.name not in recorded:
            recorded[kind.name] = _recorded(kind.name)
        key = (due.subject_id, due.period, who.id if who is not None else None)
        if key in recorded[kind.name] or (kind.name, *key) in found:
            continue
        found[(kind.name, *key)] = Coming(
            day,
            kind.name,
            kind.label,
            due.subject_id,
            due.period,
            key[2],
            who.name if who is not None else "",
            (who.email or "") if who is not None else "",
            due.title,
            due.link,
            skip_reason(kind, due, prefs),
        )
    return sorted(found.values(), key=lambda c: (c.day, c.person_name, c.kind, c.subject_id))


def coming_up(
    start: date | None = None,
    days: int = COMING_DAYS,
    person: str = "",
    rule: str = "",
) -> list[Coming]:
    """What the sweep will record over `days` days from `start` (today), each at the
    first day the rules find it due, less what is recorded already. It asks the sweep's
    own rules for each day (`candidates_over`: each rule reads the days' data once; only
    the kind asked for, if one is), so what it shows is what the sweep would do if
    nothing changes meanwhile. The list is kept for REMINDERS_COMING_UP_SECONDS (2
    minutes; the sweep itself runs every 5) and the person filter (name or email, part
    of it) is applied to it. Sorted by day, then person."""
    start = start or clock_today()
    cfg = current_app.config
    ttl = cfg.get(
        "REMINDERS_COMING_UP_SECONDS",
        0 if cfg.get("APP_ENV") == "testing" else COMING_CACHE_SECONDS,
    )
    key = (start, days, rule)
    now = time.monotonic()
    hit = _COMING.get(key) if ttl > 0 else None
    if hit is not None and now - hit[0] < ttl:
        found = hit[1]
    else:
        found = _coming_all(start, days, rule)
        if ttl > 0:
            if len(_COMING) > 32:
                _COMING.clear()
            _COMING[key] = (now, found)
    needle = person.lower()
    if needle:
        found = [
            c for c in found if needle in c.person_name.lower() or needle in c.person_email.lower()
        ]
    return found


# The weekly digest ------------------------------------------------------------------------


class _Lost(Exception):
    """Another runner sent this person's digest first."""


def _still_there(row: Reminder) -> bool:
    from app.reminders.registry import kind as kind_named

    k = kind_named(row.rule)
    return k is None or k.subject is None or db.session.get(k.subject, row.subject_id) is not None


def _left(person: User) -> str | None:
    if person.status != UserStatus.ACTIVE:
        return f"{person.name} has left (their account is {person.status.label.lower()})"
    if not person.email:
        return f"{person.name} has no email address"
    return None


DELETED = "What it was about was deleted before the digest went"
RESOLVED = "No longer due when the digest went (approved, done or changed meanwhile)"


def _digest_one(person: User, rows: list[Reminder], still: set[tuple]) -> bool:
    """Queue one person's digest and mark its rows, in one savepoint. True if queued.
    A row whose subject was deleted, or that its rule no longer finds due (`still`), is
    left out and marked not sent, with the reason."""
    with db.session.begin_nested():
        gone = {r.id: DELETED for r in rows if not _still_there(r)}
        gone.update({r.id: RESOLVED for r in rows if r.id not in gone and _key(r) not in still})
        keep = [r for r in rows if r.id not in gone]
        why = _left(person)
        msg_id = None
        if keep and why is None:
            msg = queue_email(
                person.email,
                f"Your weekly reminders: {len(keep)} waiting",
                "reminder_digest",
                user=person,
                rows=keep,
                url=external_url("reminders.notifications"),
            )
            db.session.flush()
            msg_id = msg.id
        ids = [r.id for r in rows]
        done = db.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids), Reminder.sent_at.is_(None))
            .values(sent_at=utcnow(), digest_message_id=msg_id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != len(ids):
            raise _Lost
        for r in rows:
            if r.id in gone:
                r.skip_reason = gone[r.id]
            elif why:
                r.skip_reason = why
        db.session.flush()
    return msg_id is not None


def _held(user_id: int | None = None):
    stmt = (
        Reminder.digest.is_(True),
        Reminder.sent_at.is_(None),
        Reminder.skip_reason.is_(None),
    )
    if user_id is None:
        return (*stmt, Reminder.user_id.is_not(None))
    return (*stmt, Reminder.user_id == user_id)


def send_digests() -> int:
    """One email per person listing the reminders held for their digest since the last
    one, less what was resolved meanwhile. Its rows are marked by a guarded update in the
    same savepoint as its email, so two runners at once send each digest once. Commits.
    Returns how many were queued."""
    held = db.session.scalars(
        select(Reminder).where(*_held()).order_by(Reminder.created_at, Reminder.id)
    ).all()
    still = _still_due(list(held))  # each rule asked once per day, for everyone's rows
    by_person: dict[int, list[Reminder]] = {}
    for r in held:
        by_person.setdefault(r.user_id, []).append(r)
    sent = 0
    for user_id in sorted(by_person):
        person = db.session.get(User, user_id)
        try:
            sent += _digest_one(person, by_person[user_id], still)
        except _Lost:  # its email was rolled back with the savepoint
            continue
    db.session.commit()
    return sent


# In-app notifications ---------------------------------------------------------------------


def notifications_stmt(user: User):
    return (
        select(Reminder)
        .where(Reminder.user_id == user.id, Reminder.skip_reason.is_(None))
        .order_by(Reminder.created_at.desc(), Reminder.id.desc())
    )


def _unread_of(user_id: Any):
    return select(func.count(Reminder.id)).where(
        Reminder.user_id == user_id,
        Reminder.skip_reason.is_(None),
        Reminder.read_at.is_(None),
    )


# Every page's header shows the count: it comes with the person, in the sign-in query.
load_with_user("unread_notifications", lambda: _unread_of(User.id).scalar_subquery())


def unread_count(user: User) -> int:
    """The header's count. Loaded with the person (`load_with_user`) for this request;
    `mark_read` drops it, so a page drawn after marking counts again."""
    extras = getattr(user, "request_extras", None) or {}
    if "unread_notifications" in extras:
        return extras["unread_notifications"] or 0
    return db.session.scalar(_unread_of(user.id)) or 0


def mark_read(user: User, reminder: Reminder | None = None) -> int:
    """Mark one of the person's notifications read (or all of them). A guarded update:
    marking twice changes nothing. Returns how many changed. The caller commits."""
    stmt = update(Reminder).where(
        Reminder.user_id == user.id, Reminder.read_at.is_(None), Reminder.skip_reason.is_(None)
    )
    if reminder is not None:
        stmt = stmt.where(Reminder.id == reminder.id)
    getattr(user, "request_extras", {}).pop("unread_notifications", None)
    return db.session.execute(
        stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount


# Settings ---------------------------------------------------------------------------------


def cohort_kinds_on(cohort_id: int) -> set[str]:
    off = {k for c, k in cohorts_off() if c == cohort_id}
    return {k.name for k in kinds()} - off


def set_cohort_kinds(cohort, enabled: set[str], actor) -> list[str]:
    """Turn kinds on or off for a cohort, one audit entry each. Returns the names that
    changed. The caller commits."""
    rows = {
        s.kind: s
        for s in db.session.scalars(
            select(CohortReminderSetting)
            .where(CohortReminderSetting.cohort_id == cohort.id)
            .with_for_update()
        )
    }
    changed = []
    for k in kinds():
        want = k.name in enabled
        row = rows.get(k.name)
        was = row.enabled if row else True
        if was == want:
            continue
        if row is None:
            row = CohortReminderSetting(cohort_id=cohort.id, kind=k.name)
            db.session.add(row)
        row.enabled, row.updated_by_id, row.updated_at = want, actor.id, utcnow()
        changed.append(k.name)
        audit.record(
            "reminders.cohort_setting",
            cohort,
            actor=actor,
            changes={k.name: ["on" if was else "off", "on" if want else "off"]},
            summary=f"{k.label}: turned {'on' if want else 'off'} for {cohort.name}",
        )
    return changed


def save_preferences(user: User, weekly_digest: bool, muted: set[str]) -> None:
    """A person's own choices; mandatory kinds cannot be turned off. Audited; the
    caller commits."""
    muted = {k.name for k in optional_kinds()} & muted
    pref = db.session.get(ReminderPreference, user.id, with_for_update=True)
    before = (pref.weekly_digest, pref.muted) if pref else (False, "")
    if pref is None:
        pref = ReminderPreference(user_id=user.id, weekly_digest=False, muted="")
        db.session.add(pref)
    pref.weekly_digest, pref.muted = weekly_digest, ",".join(sorted(muted))
    pref.updated_at = utcnow()
    audit.record(
        "reminders.preferences",
        user,
        actor=user,
        changes={"weekly_digest": [before[0], weekly_digest], "muted": [before[1], pref.muted]},
        summary="Reminder choices changed",
    )
