"""Handbooks: the sections staff write for each cohort, the handbook built from them and
from the cohort's own dates and figures, and the managers' handbook sent to each award
holder's line manager and PSW, with their acknowledgement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.awards.models import Award, OutputKind
from app.cohorts.models import Cohort
from app.core import audit, clock, state
from app.core.db import utcnow
from app.core.mail import external_url, queue_email
from app.documents.models import HandbookKind, HandbookReceipt, HandbookSection
from app.documents.standard import STANDARD
from app.extensions import db
from app.residentials.models import Workshop
from app.supervision import onboarding
from app.supervision.models import OnboardingItem
from app.supervision.queries import windows

MAX_SECTIONS = 40


class DocumentError(Exception):
    """A refusal shown to the person who asked; nothing was changed."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Changed(DocumentError, state.Conflict):
    """Someone else changed it first."""


# Handbook content --------------------------------------------------------------------


def sections(cohort_id: int, kind: HandbookKind) -> list[HandbookSection]:
    return list(
        db.session.scalars(
            select(HandbookSection)
            .where(HandbookSection.cohort_id == cohort_id, HandbookSection.kind == kind)
            .order_by(HandbookSection.position, HandbookSection.id)
        )
    )


def add_section(cohort: Cohort, kind: HandbookKind, actor, heading: str, body: str):
    state.lock(cohort)  # positions are given out one at a time
    count, last = db.session.execute(
        select(func.count(HandbookSection.id), func.max(HandbookSection.position)).where(
            HandbookSection.cohort_id == cohort.id, HandbookSection.kind == kind
        )
    ).one()
    if count >= MAX_SECTIONS:
        raise DocumentError(f"A handbook can have up to {MAX_SECTIONS} sections")
    section = HandbookSection(
        cohort_id=cohort.id,
        kind=kind,
        position=(last or 0) + 1,
        heading=heading,
        body=body,
        updated_by_id=actor.id,
    )
    db.session.add(section)
    db.session.flush()
    audit.record(
        "handbook.section_added",
        section,
        actor=actor,
        summary=f"{kind.label}, {cohort.name}: {heading}"[:300],
        changes=audit.diff({}, {"heading": heading, "body": body}),
    )
    return section


def edit_section(section: HandbookSection, actor, heading: str, body: str) -> bool:
    state.lock(section)
    before = {"heading": section.heading, "body": section.body}
    after = {"heading": heading, "body": body}
    if before == after:
        return False
    section.heading, section.body = heading, body
    section.updated_at, section.updated_by_id = utcnow(), actor.id
    audit.record(
        "handbook.section_changed",
        section,
        actor=actor,
        summary=f"{section.kind.label}, {section.cohort.name}: {heading}"[:300],
        changes=audit.diff(before, after),
    )
    return True


def remove_section(section: HandbookSection, actor) -> None:
    audit.record(
        "handbook.section_removed",
        section,
        actor=actor,
        summary=f"{section.kind.label}, {section.cohort.name}: {section.heading}"[:300],
        changes=audit.diff({"heading": section.heading, "body": section.body}, {}),
    )
    db.session.delete(section)


def add_standard_sections(cohort: Cohort, kind: HandbookKind, actor) -> int:
    """The standard sections, for a cohort whose handbook is still empty."""
    if sections(cohort.id, kind):
        raise DocumentError("This handbook already has sections: edit them instead")
    for heading, body in STANDARD[kind]:
        add_section(cohort, kind, actor, heading, body)
    return len(STANDARD[kind])


# The handbook ------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    label: str
    on: date


def presentation_day(workshops: list[Workshop]) -> date | None:
    """The final day of the last residential workshop."""
    return workshops[-1].ends_on if workshops else None


def output_dates(cohort: Cohort, workshops: list[Workshop]) -> list[Due]:
    """When each required output is due: the poster and presentation on the presentation
    day, the report and its summary by the end of the programme year."""
    day = presentation_day(workshops)
    out = []
    for kind in OutputKind:
        at_event = kind in (OutputKind.POSTER, OutputKind.PRESENTATION) and day is not None
        out.append(Due(kind.label, day if at_event else cohort.programme_end))
    return out


def handbook_context(cohort: Cohort, kind: HandbookKind) -> dict:
    workshops = list(
        db.session.scalars(
            select(Workshop).where(Workshop.cohort_id == cohort.id).order_by(Workshop.number)
        )
    )
    return {
        "cohort": cohort,
        "kind": kind,
        "sections": sections(cohort.id, kind),
        "workshops": workshops,
        "outputs": output_dates(cohort, workshops),
        "windows": windows(cohort),
        "presentation_day": presentation_day(workshops),
    }


def handbook_html(cohort: Cohort, kind: HandbookKind) -> str:
    """The HTML the PDF is made from: the same content always gives the same HTML (no
    times or ids in it), so its hash is the cache key."""
    return render_template("documents/pdf/handbook.html", **handbook_context(cohort, kind))


def handbook_filename(cohort: Cohort, kind: HandbookKind) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in cohort.name).strip("-")
    return f"{'managers-handbook' if kind == HandbookKind.MANAGERS else 'handbook'}-{slug}.pdf"


# The managers' handbook: sent and acknowledged ----------------------------------------


def send_managers_handbook(cohort: Cohort, actor) -> int:
    """Email the managers' handbook to each award holder's line manager and PSW who has not
    had it yet (award holders awarded since the last send); returns how many were sent."""
    state.lock(cohort)  # two staff pressing at once send once
    awards = list(
        db.session.scalars(
            select(Award)
            .where(Award.cohort_id == cohort.id)
            .options(
                joinedload(Award.line_manager), joinedload(Award.psw), joinedload(Award.holder)
            )
            .order_by(Award.id)
        )
    )
    had = {
        (award_id, user_id)
        for award_id, user_id in db.session.execute(
            select(HandbookReceipt.award_id, HandbookReceipt.user_id).where(
                HandbookReceipt.award_id.in_([a.id for a in awards])
            )
        )
    }
    link = external_url("documents.handbook", cohort_id=cohort.id, kind=HandbookKind.MANAGERS.value)
    sent = 0
    for award in awards:
        for role, person in (("line_manager", award.line_manager), ("psw", award.psw)):
            if person is None or (award.id, person.id) in had:
                continue
            had.add((award.id, person.id))
            receipt = HandbookReceipt(award_id=award.id, user_id=person.id, role=role)
            db.session.add(receipt)
            db.session.flush()
            queue_email(
                person.email,
                f"Handbook for managers: {award.holder.name}'s research year",
                "documents_managers_handbook",
                user=person,
                person=person,
                holder=award.holder,
                cohort=cohort,
                role="line manager" if role == "line_manager" else "Principal Social Worker",
                link=link,
            )
            audit.record(
                "handbook.sent",
                receipt,
                actor=actor,
                summary=f"Managers' handbook to {person.name} for {award.holder.name}"[:300],
            )
            sent += 1
    return sent


def acknowledge(receipt: HandbookReceipt, actor) -> None:
    state.claim(
        receipt,
        (None,),
        lambda r: Changed("You have already told us you read this handbook"),
        attr="acknowledged_at",
    )
    receipt.acknowledged_at = utcnow()
    audit.record(
        "handbook.acknowledged",
        receipt,
        actor=actor,
        summary=f"{actor.name} read the managers' handbook"[:300],
    )
    award = receipt.award
    if award is not None and award.line_manager_id == receipt.user_id:
        onboarding.record_done(award, OnboardingItem.HANDBOOK, actor, clock.today())


def open_receipts(user, cohort_id: int) -> list[HandbookReceipt]:
    """`user`'s unacknowledged managers' handbooks for the cohort."""
    return list(
        db.session.scalars(
            select(HandbookReceipt)
            .join(Award, Award.id == HandbookReceipt.award_id)
            .where(
                HandbookReceipt.user_id == user.id,
                Award.cohort_id == cohort_id,
                HandbookReceipt.acknowledged_at.is_(None),
            )
            .options(joinedload(HandbookReceipt.award).joinedload(Award.holder))
            .order_by(HandbookReceipt.id)
        )
    )
