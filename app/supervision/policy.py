"""Who may see what in supervision and coaching: one place, `can_<verb>(user, obj)`.

Views answer 404 when a rule fails, so an id tells nobody whose record it is."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.accounts.models import User
from app.awards.models import Award
from app.core.clock import today
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Membership
from app.release.models import Delegation
from app.supervision.models import Allocation, Meeting


def director_org_ids(user: User) -> set[int]:
    """The organisations an assistant director oversees: their memberships."""
    if not user.has_role(Role.ASSISTANT_DIRECTOR):
        return set()
    return set(
        db.session.scalars(select(Membership.organisation_id).where(Membership.user_id == user.id))
    )


def is_current_allocated(user: User, award: Award) -> bool:
    """The holder's supervisor or coach today (a replaced one no longer sees the record)."""
    if not user.has_role(Role.SUPERVISOR, Role.COACH):
        return False
    found = db.session.scalar(
        select(Allocation.id).where(
            Allocation.award_id == award.id,
            Allocation.user_id == user.id,
            Allocation.ended_on.is_(None),
        )
    )
    return found is not None


def managers_covered(user: User, today: date) -> list[int]:
    """The line managers whose award holders `user` sees as a manager: themselves and
    anyone who delegated approvals to them for today (app.release delegations)."""
    if not user.has_role(Role.LINE_MANAGER):
        return []
    return [
        user.id,
        *db.session.scalars(
            select(Delegation.manager_id).where(
                Delegation.delegate_id == user.id,
                Delegation.starts_on <= today,
                Delegation.ends_on >= today,
                Delegation.revoked_at.is_(None),
            )
        ),
    ]


def can_view_award(user: User, award: Award) -> bool:
    """Staff; the award holder; their line manager, or the colleague the manager
    delegated approvals to (while the delegation runs); their current supervisor or
    coach; an assistant director of their employer."""
    if user.has_role(Role.STAFF):
        return True
    if award.holder_id == user.id and user.has_role(Role.AWARD_HOLDER):
        return True
    if award.line_manager_id is not None and award.line_manager_id in managers_covered(
        user, today()
    ):
        return True
    if award.employer_id in director_org_ids(user):
        return True
    return is_current_allocated(user, award)


def can_view_meeting(user: User, meeting: Meeting) -> bool:
    """Notes and agreed actions: the people in the meeting and programme staff only."""
    if user.has_role(Role.STAFF):
        return True
    return any(a.user_id == user.id for a in meeting.attendees)


def can_confirm(user: User, meeting: Meeting) -> bool:
    """The award holder in the meeting, while their row is unconfirmed."""
    return any(
        a.user_id == user.id and a.award_id is not None and a.confirmed_at is None
        for a in meeting.attendees
    )


def can_allocate(user: User) -> bool:
    return user.has_role(Role.STAFF)
