"""Who may see and change personal-award spending: the `can_<verb>` rules in one place.
Views answer 404 when a rule fails, so an id says nothing about someone else's money."""

from __future__ import annotations

from app.core.roles import Role
from app.money.models import EDITABLE, ItemStatus, SpendingItem


def _staff(user) -> bool:
    return user.has_role(Role.STAFF)


def can_view_award(user, award) -> bool:
    """The award holder and programme staff (who approve and pay)."""
    return _staff(user) or (award.holder_id == user.id and user.has_role(Role.AWARD_HOLDER))


def can_record(user, award) -> bool:
    """Only the award holder records their own spending."""
    return award.holder_id == user.id and user.has_role(Role.AWARD_HOLDER)


def can_view_item(user, item: SpendingItem) -> bool:
    return can_view_award(user, item.award)


def can_edit(user, item: SpendingItem) -> bool:
    return can_record(user, item.award) and item.status in EDITABLE


def can_decide(user, item: SpendingItem) -> bool:
    """Staff, but never on an item they submitted, recorded or paid themselves, nor twice
    on one item that needs two approvers (separation of duties)."""
    return (
        _staff(user)
        and item.status == ItemStatus.SUBMITTED
        and user.id not in (item.submitted_by_id, item.created_by_id, item.paid_by_id)
        and user.id != item.first_approver_id
    )


def can_pay(user, item: SpendingItem) -> bool:
    return _staff(user) and item.status == ItemStatus.APPROVED


def can_change_cap(user, award) -> bool:
    return _staff(user)


def can_change_cohort_settings(user) -> bool:
    """A cohort's money rules (the second-approver threshold) are programme staff's."""
    return _staff(user)
