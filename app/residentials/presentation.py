"""The presentation day: the last day of a cohort's last workshop. Programme staff invite
each award holder's PSW, line manager and academic supervisor (one invitation per person,
saying whose day it is for them), invitees reply through their link, and staff arrange
and publish the running order of presentations.

Status changes are compare-and-set through app/core/state.py: sending locks the cohort's
presentation day row; a reply claims the invitation at the reply its link was made for
(so a link answers once, and two clicks at once give one reply); publishing claims the day
in draft. Every change is audited; emails are queued in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.cohorts.models import Cohort
from app.core import audit, state
from app.core.db import utcnow
from app.core.formatting import format_date
from app.core.mail import external_url, queue_email
from app.extensions import db
from app.residentials import tokens
from app.residentials.base import ResidentialError, members, require_staff
from app.residentials.models import (
    Invitation,
    PresentationDay,
    ProgrammeStatus,
    Reply,
    Workshop,
)
from app.supervision.models import Allocation, PoolKind


class ReplyRefused(ResidentialError, state.Conflict):
    """The link was used for a reply already (or two replies raced): nothing changed."""


def day_of(cohort_id: int) -> date | None:
    """The presentation day: the last day of the cohort's last workshop."""
    return db.session.scalar(
        select(func.max(Workshop.ends_on)).where(Workshop.cohort_id == cohort_id)
    )


def record_of(cohort_id: int) -> PresentationDay | None:
    return db.session.scalar(select(PresentationDay).where(PresentationDay.cohort_id == cohort_id))


def locked_record(cohort: Cohort) -> PresentationDay:
    """The cohort's presentation day row, made on first use, then locked."""
    found = record_of(cohort.id)
    if found is None:
        state.lock(cohort)  # two first uses at once: the second waits, then finds the row
        found = record_of(cohort.id)
        if found is None:
            found = PresentationDay(cohort_id=cohort.id, status=ProgrammeStatus.DRAFT)
            db.session.add(found)
            db.session.flush()
    return state.lock(found)


# Invitations ------------------------------------------------------------------------------


@dataclass
class Invitee:
    user: User
    roles: list[str]  # "Principal Social Worker for Ann Example"

    @property
    def about(self) -> str:
        return "; ".join(self.roles)[:500]


def invitees(cohort_id: int, on: date) -> list[Invitee]:
    """Each award holder's PSW, line manager and supervisor (the one allocated on the day),
    one entry per person: two queries."""
    awards = members(cohort_id)
    supervisors = {
        a.award_id: a.user
        for a in db.session.scalars(
            select(Allocation)
            .options(joinedload(Allocation.user))
            .where(
                Allocation.award_id.in_([a.id for a in awards] or [0]),
                Allocation.kind == PoolKind.SUPERVISOR,
                Allocation.started_on <= on,
                (Allocation.ended_on.is_(None)) | (Allocation.ended_on >= on),
            )
        )
    }
    people: dict[int, Invitee] = {}
    for award in awards:
        name = award.holder.name
        for label, user in (
            ("Principal Social Worker", award.psw),
            ("line manager", award.line_manager),
            ("academic supervisor", supervisors.get(award.id)),
        ):
            if user is None or user.id == award.holder_id:
                continue
            people.setdefault(user.id, Invitee(user, [])).roles.append(f"{label} for {name}")
    return sorted(people.values(), key=lambda i: (i.user.name, i.user.id))


def invitations(cohort_id: int) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .join(User, User.id == Invitation.invitee_id)
            .options(joinedload(Invitation.invitee).lazyload(User.role_links))
            .where(Invitation.cohort_id == cohort_id)
            .order_by(User.name, Invitation.id)
        )
    )


def reply_url(invitation: Invitation) -> str:
    return external_url(
        "residentials.invitation",
        token=tokens.invitation_token(invitation.id, invitation.reply_count),
    )


def send_invitations(cohort: Cohort, actor: User, today: date) -> int:
    """Invite everyone not yet invited; return how many were invited. Run again after a
    new allocation and only the new people are invited."""
    require_staff(actor)
    on = day_of(cohort.id)
    if on is None:
        raise ResidentialError(
            "Set up the cohort's workshops first: the presentation day is the last day "
            "of the last one."
        )
    if on < today:
        raise ResidentialError("The presentation day has passed. Nothing was sent.")
    locked_record(cohort)  # locked: two senders at once invite each person once
    invited = set(
        db.session.scalars(select(Invitation.invitee_id).where(Invitation.cohort_id == cohort.id))
    )
    new = [i for i in invitees(cohort.id, on) if i.user.id not in invited]
    for person in new:
        inv = Invitation(
            cohort_id=cohort.id,
            invitee_id=person.user.id,
            about=person.about,
            reply=Reply.WAITING,
            reply_count=0,
            sent_by_id=actor.id,
            sent_at=utcnow(),
        )
        db.session.add(inv)
        db.session.flush()
        queue_email(
            person.user.email,
            f"Invitation: presentation day for cohort {cohort.name}, {format_date(on)}",
            "presentation_invitation",
            user=person.user,
            invitee=person.user,
            cohort=cohort,
            about=person.about,
            day=on,
            url=reply_url(inv),
        )
    if new:
        audit.record(
            "residentials.invitations_sent",
            cohort,
            actor=actor,
            changes={"invited": [len(invited), len(invited) + len(new)]},
            summary=f"{cohort.name}: {len(new)} presentation day invitation(s) sent",
        )
    return len(new)


def read_link(token: str) -> tuple[Invitation, int]:
    """The invitation a reply link is for, and the reply it was made for; a link this
    service did not make, or for an invitation since removed, is refused alike."""
    try:
        invitation_id, count = tokens.read_invitation(token)
    except tokens.BadToken as exc:
        raise ResidentialError(
            "This link is not valid. Use the link in the newest email we sent you."
        ) from exc
    inv = db.session.get(
        Invitation,
        invitation_id,
        options=[joinedload(Invitation.cohort), joinedload(Invitation.invitee)],
    )
    if inv is None:
        raise ResidentialError(
            "This link is not valid. Use the link in the newest email we sent you."
        )
    return inv, count


def link_refusal(inv: Invitation, count: int, today: date) -> str | None:
    if count != inv.reply_count:
        return (
            "This link has already been used to reply. To change your reply, use the link "
            "in the newest email we sent you."
        )
    on = day_of(inv.cohort_id)
    if on is not None and today > on:
        return f"The presentation day was {format_date(on)}: replies have closed."
    return None


def reply(inv: Invitation, count: int, answer: Reply, today: date) -> Invitation:
    """The invitee answers through their link. The link stops working; the answer's email
    carries a new one to change it with, until the day."""
    if answer == Reply.WAITING:
        raise ResidentialError("Select whether you will attend", "reply")

    def refuse(_inv: Invitation) -> ReplyRefused:
        return ReplyRefused(
            "This link has already been used to reply. To change your reply, use the link "
            "in the newest email we sent you. Nothing was changed."
        )

    state.claim(inv, count, refuse, attr="reply_count")
    refusal = link_refusal(inv, count, today)
    if refusal:
        raise ResidentialError(refusal + " Nothing was changed.")
    before = inv.reply
    inv.reply, inv.reply_count, inv.replied_at = answer, count + 1, utcnow()
    db.session.flush()
    audit.record(
        "residentials.invitation_replied",
        inv,
        actor=inv.invitee,
        changes={"reply": [before, answer]},
        summary=f"{inv.cohort.name} presentation day: {answer.label.lower()}",
    )
    queue_email(
        inv.invitee.email,
        f"Your reply: presentation day for cohort {inv.cohort.name}",
        "presentation_reply",
        user=inv.invitee,
        invitee=inv.invitee,
        cohort=inv.cohort,
        answer=answer,
        day=day_of(inv.cohort_id),
        url=reply_url(inv),
    )
    return inv


# What invitees see -------------------------------------------------------------------------


def can_see_programme(user: User, cohort_id: int) -> bool:
    """Staff always; an invitee once the running order is published."""
    from app.core.roles import Role

    if user.has_role(Role.STAFF):
        return True
    day = record_of(cohort_id)
    if day is None or day.status != ProgrammeStatus.PUBLISHED:
        return False
    return (
        db.session.scalar(
            select(Invitation.id).where(
                Invitation.cohort_id == cohort_id, Invitation.invitee_id == user.id
            )
        )
        is not None
    )


def invitations_of(user: User) -> list[tuple[Invitation, PresentationDay | None, date | None]]:
    """The user's invitations, newest cohort first, with each day's record and date."""
    rows = list(
        db.session.scalars(
            select(Invitation)
            .join(Cohort, Cohort.id == Invitation.cohort_id)
            .options(joinedload(Invitation.cohort))
            .where(Invitation.invitee_id == user.id)
            .order_by(Cohort.programme_start.desc())
        )
    )
    ids = [r.cohort_id for r in rows] or [0]
    days = {
        d.cohort_id: d
        for d in db.session.scalars(
            select(PresentationDay).where(PresentationDay.cohort_id.in_(ids))
        )
    }
    dates = dict(
        db.session.execute(
            select(Workshop.cohort_id, func.max(Workshop.ends_on))
            .where(Workshop.cohort_id.in_(ids))
            .group_by(Workshop.cohort_id)
        ).all()
    )
    return [(r, days.get(r.cohort_id), dates.get(r.cohort_id)) for r in rows]
