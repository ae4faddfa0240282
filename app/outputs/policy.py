"""Who may see and change required outputs: the `can_<verb>` rules in one place. Views
answer 404 when a rule fails, so an id says nothing about someone else's output."""

from __future__ import annotations

from sqlalchemy import exists, select

from app.awards.models import Award, AwardOutput, OutputStatus
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Membership
from app.supervision.models import Allocation, PoolKind

UPLOADABLE = (OutputStatus.NOT_STARTED, OutputStatus.DRAFT, OutputStatus.CHANGES_REQUESTED)
DECIDABLE = (OutputStatus.DRAFT, OutputStatus.SUBMITTED)


def _staff(user) -> bool:
    return user.has_role(Role.STAFF)


def is_holder(user, award: Award) -> bool:
    return award.holder_id == user.id and user.has_role(Role.AWARD_HOLDER)


def is_supervisor(user, award: Award) -> bool:
    """The holder's academic supervisor today (a replaced one no longer is)."""
    if not user.has_role(Role.SUPERVISOR):
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Allocation.award_id == award.id,
                    Allocation.user_id == user.id,
                    Allocation.kind == PoolKind.SUPERVISOR,
                    Allocation.ended_on.is_(None),
                )
            )
        )
    )


def is_line_manager(user, award: Award) -> bool:
    return award.line_manager_id == user.id and user.has_role(Role.LINE_MANAGER)


def can_view(user, award: Award) -> bool:
    """Staff, the award holder, their line manager (read only) and current supervisor."""
    return (
        _staff(user)
        or is_holder(user, award)
        or is_line_manager(user, award)
        or is_supervisor(user, award)
    )


def can_upload(user, output: AwardOutput) -> bool:
    return is_holder(user, output.award) and output.status in UPLOADABLE


def can_submit(user, output: AwardOutput) -> bool:
    return is_holder(user, output.award) and output.status == OutputStatus.DRAFT


def can_give_feedback(user, award: Award) -> bool:
    """The current supervisor and programme staff; never the holder on their own work."""
    return (_staff(user) or is_supervisor(user, award)) and award.holder_id != user.id


def can_extend(user) -> bool:
    return _staff(user)


def can_consent(user, output: AwardOutput) -> bool:
    return is_holder(user, output.award)


def participates(user) -> bool:
    """The showcase is for signed-in people of participating organisations (every
    organisation in the service), and programme staff."""
    if _staff(user):
        return True
    if user.pending_roles and not (user.roles - {Role.APPLICANT}):
        # their organisation came with a role staff have not confirmed yet
        return False
    return bool(db.session.scalar(select(exists().where(Membership.user_id == user.id))))
