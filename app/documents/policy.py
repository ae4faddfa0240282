"""Who may read and change documents: the `can_<verb>` rules in one place. Views answer
404 when a rule fails, so an id says nothing about someone else's award."""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.clock import today
from app.core.roles import Role
from app.documents.models import HandbookReceipt, LearningAgreement, SignatoryRole
from app.extensions import db
from app.supervision.models import Allocation
from app.supervision.policy import can_view_award, director_org_ids, managers_covered


def _employer_or_allocation(user) -> list:
    """SQL conditions on `Award` that both rules below share: the employers `user` is an
    assistant director of, and a current supervision or coaching allocation."""
    mine = []
    orgs = director_org_ids(user)
    if orgs:
        mine.append(Award.employer_id.in_(orgs))
    if user.has_role(Role.SUPERVISOR, Role.COACH):
        mine.append(
            exists().where(
                Allocation.award_id == Award.id,
                Allocation.user_id == user.id,
                Allocation.ended_on.is_(None),
            )
        )
    return mine


def _around(user) -> list:
    """SQL conditions on `Award`: an award holder `user` is around (empty: none)."""
    mine = []
    if user.has_role(Role.AWARD_HOLDER):
        mine.append(Award.holder_id == user.id)
    if user.has_role(Role.LINE_MANAGER):
        mine.append(Award.line_manager_id == user.id)
    if user.has_role(Role.PSW):
        mine.append(Award.psw_id == user.id)
    return mine + _employer_or_allocation(user)


def can_read_handbooks(user, cohort: Cohort) -> bool:
    """Staff, and the people around an award holder of the cohort: the holder, their line
    manager, PSW, an assistant director of their employer, their supervisor or coach."""
    if user.has_role(Role.STAFF):
        return True
    mine = _around(user)
    if not mine:
        return False
    found = db.session.scalar(
        select(Award.id).where(Award.cohort_id == cohort.id, or_(*mine)).limit(1)
    )
    return found is not None


def readable_cohort_ids(user) -> set[int] | None:
    """The cohorts whose handbooks `user` may read (can_read_handbooks for every cohort at
    once, in one query); None for staff, who read every cohort's."""
    if user.has_role(Role.STAFF):
        return None
    mine = _around(user)
    if not mine:
        return set()
    return set(db.session.scalars(select(Award.cohort_id).where(or_(*mine)).distinct()))


def can_view_agreement(user, award: Award) -> bool:
    """Whoever may see the award holder's record (app.supervision.policy)."""
    return can_view_award(user, award)


def agreement_candidates(user) -> list:
    """SQL conditions on `Award` covering every award whose agreement `user` may view
    (can_view_agreement, as SQL: the holder, the line managers they cover, their
    employers as assistant director, a current allocation). A list lists only these;
    can_view_agreement is still asked of each, so this never widens it."""
    mine = []
    if user.has_role(Role.AWARD_HOLDER):
        mine.append(Award.holder_id == user.id)
    managers = managers_covered(user, today())
    if managers:
        mine.append(Award.line_manager_id.in_(managers))
    return mine + _employer_or_allocation(user)


def can_edit_agreement(user, award: Award) -> bool:
    """Programme staff and the award holder write it; everyone signs what it says."""
    return user.has_role(Role.STAFF) or (
        award.holder_id == user.id and user.has_role(Role.AWARD_HOLDER)
    )


def signatory_roles(user, agreement: LearningAgreement) -> list[SignatoryRole]:
    """The parts `user` is named to sign (one person may hold two)."""
    award = agreement.award
    out = []
    if award.holder_id == user.id and user.has_role(Role.AWARD_HOLDER):
        out.append(SignatoryRole.HOLDER)
    if award.line_manager_id == user.id and user.has_role(Role.LINE_MANAGER):
        out.append(SignatoryRole.LINE_MANAGER)
    if agreement.assistant_director_id == user.id and user.has_role(Role.ASSISTANT_DIRECTOR):
        out.append(SignatoryRole.ASSISTANT_DIRECTOR)
    return out


def can_acknowledge(user, receipt: HandbookReceipt) -> bool:
    return receipt.user_id == user.id
