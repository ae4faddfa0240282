"""Impact log services: add an entry (the holder) or suggest one (their line manager,
PSW or supervisor), the holder confirms or declines a suggestion, and who is due the
yearly prompt. Each validates, writes one audit entry and flushes; the view commits."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from app.awards.models import Award
from app.core import audit, state, storage
from app.core.db import utcnow as clock_now
from app.core.mail import external_url, queue_email
from app.core.state import Conflict
from app.extensions import db
from app.impact.models import Category, EntryStatus, ImpactEntry, Reach

EVIDENCE_TYPES = (*storage.KINDS, storage.DOCX)
DESCRIPTION_MAX = 2000
PROMPT_YEARS = (1, 2, 3)
URL_RE = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


class ImpactError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class EntryChanged(ImpactError, Conflict):
    pass


@dataclass(frozen=True)
class EntryData:
    category: Category
    occurred_on: date
    description: str
    reach: Reach
    evidence_url: str = ""


def _check(award: Award, data: EntryData, today: date) -> None:
    started = award.awarded_at.date()
    if data.occurred_on < started:
        raise ImpactError(
            f"The date must be on or after your award on {started.day} "
            f"{started:%B %Y}: impact before the award is not the programme's",
            "occurred_on",
        )
    if data.occurred_on > today:
        raise ImpactError("The date must be today or in the past", "occurred_on")
    if not data.description.strip():
        raise ImpactError("Describe what changed", "description")
    if len(data.description) > DESCRIPTION_MAX:
        raise ImpactError(
            f"The description must be {DESCRIPTION_MAX:,} characters or fewer", "description"
        )
    url = data.evidence_url
    if url and (len(url) > 500 or not URL_RE.fullmatch(url)):
        raise ImpactError(
            "Enter a web address starting https:// or http://, 500 characters or fewer",
            "evidence_url",
        )


def add_entry(
    award: Award,
    actor,
    data: EntryData,
    today: date,
    file: bytes | None = None,
    filename: str = "",
) -> ImpactEntry:
    """The holder's own entry (confirmed) or someone else's suggestion (waits for the
    holder). The caller has checked `actor` may add to this log."""
    _check(award, data, today)
    stored = None
    if file is not None:
        try:
            stored = storage.put(file, filename, allowed=EVIDENCE_TYPES)
        except storage.StorageError as exc:
            raise ImpactError(str(exc), "evidence") from exc
    own = actor.id == award.holder_id
    entry = ImpactEntry(
        award=award,
        category=data.category,
        occurred_on=data.occurred_on,
        description=data.description.strip(),
        reach=data.reach,
        evidence_url=data.evidence_url or None,
        evidence_file=stored,
        evidence_filename=storage.display_name(filename, stored) if stored else None,
        status=EntryStatus.CONFIRMED if own else EntryStatus.SUGGESTED,
        created_by_id=actor.id,
        decided_at=clock_now() if own else None,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "impact.added" if own else "impact.suggested",
        entry,
        actor=actor,
        changes={
            "category": [None, data.category],
            "occurred_on": [None, data.occurred_on],
            "reach": [None, data.reach],
            "status": [None, entry.status],
        },
        summary=f"{data.category.label} for award {award.id}",
    )
    if not own:
        _tell_holder(entry, actor)
    return entry


def _tell_holder(entry: ImpactEntry, actor) -> None:
    """A suggestion reaches the holder by email (queued with the entry, sent after the
    commit): it counts nowhere until they confirm it."""
    holder = entry.award.holder
    if holder is None or not holder.email:
        return
    queue_email(
        holder.email,
        f"{actor.name} suggested an entry for your impact log",
        "impact_suggested",
        user=holder,
        holder=holder,
        actor=actor,
        entry=entry,
        url=external_url("impact.log", award_id=entry.award_id),
    )


def _refuse(entry: ImpactEntry) -> EntryChanged:
    return EntryChanged(f"This suggestion was already {entry.status.label.lower()}.")


def decide(entry: ImpactEntry, holder, confirm: bool) -> ImpactEntry:
    """The holder confirms or declines a suggestion, once."""
    if holder.id != entry.award.holder_id:
        raise ImpactError("Only the award holder can confirm a suggested entry.")
    state.claim(entry, EntryStatus.SUGGESTED, _refuse)
    new = EntryStatus.CONFIRMED if confirm else EntryStatus.DECLINED
    entry.status = new
    entry.decided_at = clock_now()
    audit.record(
        "impact.confirmed" if confirm else "impact.declined",
        entry,
        actor=holder,
        changes={"status": [EntryStatus.SUGGESTED, new]},
        summary=f"{entry.category.label} for award {entry.award_id}",
    )
    db.session.flush()
    _tell_suggester(entry, holder, confirm)
    return entry


def _tell_suggester(entry: ImpactEntry, holder, confirmed: bool) -> None:
    """Whoever suggested the entry hears what the holder decided."""
    by = entry.created_by
    if by is None or not by.email:
        return
    queue_email(
        by.email,
        f"{holder.name} {'confirmed' if confirmed else 'declined'} the impact you suggested",
        "impact_decided",
        user=by,
        suggester=by,
        holder=holder,
        entry=entry,
        confirmed=confirmed,
        url=external_url("impact.log", award_id=entry.award_id),
    )


def entries_for(award: Award) -> list[ImpactEntry]:
    return list(
        db.session.scalars(
            select(ImpactEntry)
            .where(ImpactEntry.award_id == award.id)
            .options(joinedload(ImpactEntry.created_by))
            .order_by(ImpactEntry.occurred_on.desc(), ImpactEntry.id.desc())
        )
    )


# --- the yearly prompt ---------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    award_id: int
    holder_id: int
    year: int  # 1, 2 or 3 years since completion


def impact_prompts_due(today: date) -> list[Prompt]:
    """Who is due the yearly impact prompt on `today`: award holders whose completion
    was exactly one, two or three years ago (a 29 February completion is prompted on 28
    February in other years). The reminders' sweep sends one per (award, year); this
    only says who is due."""
    days: dict[date, int] = {}
    for years in PROMPT_YEARS:
        year = today.year - years
        if not (today.month == 2 and today.day == 29 and not calendar.isleap(year)):
            days[today.replace(year=year)] = years
        if today.month == 2 and today.day == 28 and calendar.isleap(year):
            days[date(year, 2, 29)] = years
    if not days:
        return []
    rows = db.session.execute(
        select(Award.id, Award.holder_id, Award.completed_at)
        .where(
            or_(
                *(
                    and_(Award.completed_at >= _midnight(d), Award.completed_at < _midnight(d, 1))
                    for d in days
                )
            )
        )
        .order_by(Award.id)
    )
    return [
        Prompt(award_id, holder_id, days[completed.date()])
        for award_id, holder_id, completed in rows
        if completed.date() in days
    ]


def _midnight(d: date, plus_days: int = 0) -> datetime:
    return datetime.combine(d + timedelta(days=plus_days), time.min)
