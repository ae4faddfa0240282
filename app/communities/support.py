"""Research idea feedback and public involvement support: a member asks, with a
deadline; one or two other members volunteer; volunteers log their time; where the
support is funded, programme staff record the involvement payment (pence) and mark it
paid. Recording a payment twice is refused; no bank details are kept here."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.communities.models import (
    Community,
    CommunityMember,
    SupportKind,
    SupportRequest,
    SupportVolunteer,
)
from app.communities.services import BODY_MAX, Changed, CommunityError, _text, insert_once
from app.core import audit, state
from app.core.db import utcnow
from app.extensions import db

MAX_VOLUNTEERS = 2
MAX_MINUTES = 600  # one entry of time: ten hours at most


def ask(
    community: Community,
    member: CommunityMember,
    kind: SupportKind,
    title: str,
    description: str,
    deadline: date,
    today: date,
    funded: bool = False,
) -> SupportRequest:
    if deadline < today:
        raise CommunityError("The deadline must be today or in the future", "deadline")
    req = SupportRequest(
        community_id=community.id,
        requester_id=member.id,
        kind=kind,
        title=_text(title, "a title", "title", 200),
        description=_text(description, "what you would like help with", "description", BODY_MAX),
        deadline=deadline,
        funded=funded,
    )
    db.session.add(req)
    db.session.flush()
    audit.record(
        "communities.support_requested",
        req,
        actor=member.user,
        changes={"deadline": [None, deadline], "kind": [None, kind]},
        summary=req.title,
    )
    return req


def volunteer(req: SupportRequest, member: CommunityMember, today: date) -> SupportVolunteer:
    """One or two volunteers, never the person asking; the request row is locked so
    parallel offers cannot make a third."""
    state.lock(req)
    if req.requester_id == member.id:
        raise CommunityError("You cannot volunteer for your own request.")
    if req.deadline < today:
        raise CommunityError("The deadline for this request has passed.")
    taken = db.session.scalar(
        select(func.count(SupportVolunteer.id)).where(SupportVolunteer.request_id == req.id)
    )
    if taken >= MAX_VOLUNTEERS:
        raise Changed("This request already has two volunteers.")
    v = SupportVolunteer(request_id=req.id, member_id=member.id)
    insert_once(v, Changed("You have already volunteered for this request."))
    audit.record("communities.volunteered", v, actor=member.user, summary=req.title[:300])
    return v


def log_time(v: SupportVolunteer, member: CommunityMember, minutes: int) -> None:
    if v.member_id != member.id:
        raise CommunityError("Only the volunteer logs their time.", "minutes")
    if not 1 <= minutes <= MAX_MINUTES:
        raise CommunityError(f"Enter between 1 and {MAX_MINUTES} minutes", "minutes")
    state.lock(v)
    before = v.minutes
    v.minutes = before + minutes
    audit.record(
        "communities.time_logged",
        v,
        actor=member.user,
        changes={"minutes": [before, v.minutes]},
        summary=f"{minutes} minutes on request {v.request_id}",
    )
    db.session.flush()


def record_payment(v: SupportVolunteer, actor, pence: int) -> None:
    """Staff record the involvement payment due, once."""
    if not v.request.funded:
        raise CommunityError("This request is not funded: no payment is due.", "amount")
    if pence <= 0:
        raise CommunityError("Enter an amount more than £0", "amount")
    state.claim(
        v,
        [None],
        lambda v: Changed("A payment is already recorded for this volunteer."),
        attr="payment_pence",
    )
    v.payment_pence, v.payment_recorded_at, v.payment_recorded_by_id = pence, utcnow(), actor.id
    audit.record(
        "communities.payment_recorded",
        v,
        actor=actor,
        changes={"payment_pence": [None, pence]},
        summary=f"Involvement payment for request {v.request_id}",
    )
    db.session.flush()


def mark_paid(v: SupportVolunteer, actor) -> None:
    state.claim(
        v, [None], lambda v: Changed("This payment is already marked paid."), attr="paid_at"
    )
    if v.payment_pence is None:
        raise CommunityError("Record the amount before marking it paid.")
    v.paid_at = utcnow()
    audit.record(
        "communities.payment_paid",
        v,
        actor=actor,
        changes={"paid": [False, True]},
        summary=f"Involvement payment for request {v.request_id}",
    )
    db.session.flush()
