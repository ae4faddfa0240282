"""The presentation day's running order: staff draft it (every award holder a slot, titled
from their research question until their oral presentation output gives one; issue 13),
move slots and change titles (never overlapping), and publish it to the invitees once: a
compare-and-set on the day's status, audited, each invitee emailed in the transaction."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.applications.models import Application
from app.awards.models import Award, AwardOutput, OutputKind
from app.cohorts.models import Cohort
from app.core import audit, state
from app.core.db import utcnow
from app.core.formatting import format_date
from app.core.mail import queue_email
from app.extensions import db
from app.residentials.base import ResidentialError, members, require_staff
from app.residentials.models import (
    PresentationDay,
    PresentationSlot,
    ProgrammeStatus,
)
from app.residentials.presentation import day_of, invitations, locked_record, reply_url

FIRST_SLOT = time(10, 0)
SLOT_MINUTES = 20
TITLE_MAX = 300


# Drafting and changing ----------------------------------------------------------------------


def default_title(application: Application | None, presentation_title: str = "") -> str:
    """The title of the holder's oral presentation (issue 13's output) once they have
    given one; until then their research question."""
    for text in (presentation_title, application.research_question if application else ""):
        cleaned = " ".join((text or "").split())
        if cleaned:
            return cleaned[:TITLE_MAX]
    return "Title to be confirmed"


def slots(cohort_id: int) -> list[PresentationSlot]:
    return list(
        db.session.scalars(
            select(PresentationSlot)
            .join(PresentationDay, PresentationDay.id == PresentationSlot.day_id)
            .options(
                joinedload(PresentationSlot.award)
                .joinedload(Award.holder)
                .lazyload(User.role_links)
            )
            .where(PresentationDay.cohort_id == cohort_id)
            .order_by(PresentationSlot.starts_at, PresentationSlot.id)
        )
    )


def _after(t: time, minutes: int) -> time:
    moment = datetime.combine(date(2000, 1, 1), t) + timedelta(minutes=minutes)
    if moment.date() != date(2000, 1, 1):
        raise ResidentialError("The running order would go past midnight.")
    return moment.time()


def draft_running_order(cohort: Cohort, actor: User) -> int:
    """Give every award holder without a slot one, after the last slot (from 10:00, 20
    minutes each), titled from their oral presentation or else their research question.
    Returns how many were added."""
    require_staff(actor)
    if day_of(cohort.id) is None:
        raise ResidentialError("Set up the cohort's workshops first.")
    day = locked_record(cohort)
    have = {s.award_id: s for s in day.slots}
    start = max((s.ends_at for s in have.values()), default=FIRST_SLOT)
    added = 0
    awards = [a for a in members(cohort.id) if a.id not in have]
    apps = {
        a.id: a
        for a in db.session.scalars(
            select(Application).where(Application.id.in_([a.application_id for a in awards] or [0]))
        )
    }
    talks = dict(
        db.session.execute(
            select(AwardOutput.award_id, AwardOutput.title).where(
                AwardOutput.award_id.in_([a.id for a in awards] or [0]),
                AwardOutput.kind == OutputKind.PRESENTATION,
            )
        ).all()
    )
    for award in awards:
        end = _after(start, SLOT_MINUTES)
        db.session.add(
            PresentationSlot(
                day_id=day.id,
                award_id=award.id,
                starts_at=start,
                ends_at=end,
                title=default_title(apps.get(award.application_id), talks.get(award.id, "")),
            )
        )
        start, added = end, added + 1
    if added:
        db.session.flush()
        audit.record(
            "residentials.running_order_drafted",
            day,
            actor=actor,
            changes={"slots": [len(have), len(have) + added]},
            summary=f"{cohort.name}: {added} presentation slot(s) added",
        )
    return added


def _slot_fields(slot: PresentationSlot) -> dict:
    return {
        "starts_at": slot.starts_at.isoformat("minutes"),
        "ends_at": slot.ends_at.isoformat("minutes"),
        "title": slot.title,
    }


def change_slot(
    slot: PresentationSlot, actor: User, starts_at: time, ends_at: time, title: str
) -> None:
    """Move a presentation or change its title; two presentations may not overlap."""
    require_staff(actor)
    state.lock(slot.day)
    if ends_at <= starts_at:
        raise ResidentialError("The presentation must end after it starts", "ends_at")
    title = " ".join(title.split())
    if not title:
        raise ResidentialError("Enter the presentation's title", "title")
    for other in slot.day.slots:
        if other.id != slot.id and other.starts_at < ends_at and starts_at < other.ends_at:
            raise ResidentialError(
                f"This overlaps {other.award.holder.name}'s presentation "
                f"({other.starts_at:%H:%M} to {other.ends_at:%H:%M})",
                "starts_at",
            )
    before = _slot_fields(slot)
    slot.starts_at, slot.ends_at, slot.title = starts_at, ends_at, title[:TITLE_MAX]
    db.session.flush()
    audit.record(
        "residentials.slot_changed",
        slot,
        actor=actor,
        changes=audit.diff(before, _slot_fields(slot)),
        summary=f"Presentation by {slot.award.holder.name}",
    )


def publish(cohort: Cohort, actor: User) -> int:
    """Publish the running order to the invitees (their link and their signed-in page show
    it from now on; each is emailed). Returns how many were told."""
    require_staff(actor)
    day = locked_record(cohort)

    def refuse(_day: PresentationDay) -> ResidentialError:
        return ResidentialError(
            "The programme was published already (by someone else?). Nothing was changed."
        )

    state.claim(day, ProgrammeStatus.DRAFT, refuse)
    if not day.slots:
        raise ResidentialError("Draft the running order before you publish it.")
    day.status, day.published_at, day.published_by_id = (
        ProgrammeStatus.PUBLISHED,
        utcnow(),
        actor.id,
    )
    on = day_of(cohort.id)
    people = invitations(cohort.id)
    for inv in people:
        queue_email(
            inv.invitee.email,
            f"Programme of presentations: cohort {cohort.name}, {format_date(on)}",
            "presentation_programme",
            user=inv.invitee,
            invitee=inv.invitee,
            cohort=cohort,
            day=on,
            url=reply_url(inv),
        )
    audit.record(
        "residentials.programme_published",
        day,
        actor=actor,
        changes={"status": [ProgrammeStatus.DRAFT, ProgrammeStatus.PUBLISHED]},
        summary=f"{cohort.name}: {len(day.slots)} presentations, {len(people)} invitee(s) told",
    )
    return len(people)


def unpublish(cohort: Cohort, actor: User) -> None:
    """Take a published running order back to a draft: invitees' links and pages stop
    showing it until staff publish again (which emails them again)."""
    require_staff(actor)
    day = locked_record(cohort)

    def refuse(_day: PresentationDay) -> ResidentialError:
        return ResidentialError(
            "The programme is not published (someone may have withdrawn it already). "
            "Nothing was changed."
        )

    state.claim(day, ProgrammeStatus.PUBLISHED, refuse)
    published_at = day.published_at
    day.status, day.published_at, day.published_by_id = ProgrammeStatus.DRAFT, None, None
    db.session.flush()
    audit.record(
        "residentials.programme_unpublished",
        day,
        actor=actor,
        changes={
            "status": [ProgrammeStatus.PUBLISHED, ProgrammeStatus.DRAFT],
            "published_at": [published_at, None],
        },
        summary=f"{cohort.name}: the running order is a draft again; invitees no longer see it",
    )
