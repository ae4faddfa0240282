"""Who may read and add to an impact log, and who reads the reports: the `can_<verb>`
rules in one place. Views answer 404 when a rule fails, so an id says nothing about
someone else's log."""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.roles import Role
from app.extensions import db
from app.supervision.models import Allocation, PoolKind


def is_holder(user, award: Award) -> bool:
    return award.holder_id == user.id and user.has_role(Role.AWARD_HOLDER)


def authority_ids(user) -> list[int]:
    """The organisations a PSW speaks for (none for anyone else)."""
    if not user.has_role(Role.PSW):
        return []
    return [m.organisation_id for m in user.memberships]


def _supervised(user, award: Award) -> bool:
    """The holder's supervisor at the end of the programme (or now): a supervisor
    replaced part-way through the year is not."""
    if not user.has_role(Role.SUPERVISOR):
        return False
    end = select(Cohort.programme_end).where(Cohort.id == award.cohort_id).scalar_subquery()
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Allocation.award_id == award.id,
                    Allocation.user_id == user.id,
                    Allocation.kind == PoolKind.SUPERVISOR,
                    or_(Allocation.ended_on.is_(None), Allocation.ended_on >= end),
                )
            )
        )
    )


def can_suggest(user, award: Award) -> bool:
    """The holder's line manager, PSW (named on the award, or a PSW of the employer) and
    supervisor suggest entries; never the holder, who adds their own."""
    if award.holder_id == user.id:
        return False
    if award.line_manager_id == user.id and user.has_role(Role.LINE_MANAGER):
        return True
    if user.has_role(Role.PSW) and (
        award.psw_id == user.id or award.employer_id in authority_ids(user)
    ):
        return True
    return _supervised(user, award)


def can_view(user, award: Award) -> bool:
    return user.has_role(Role.STAFF) or is_holder(user, award) or can_suggest(user, award)


def can_add(user, award: Award) -> bool:
    return is_holder(user, award)


def suggestible_awards(user):
    """A select of the awards `user` may suggest entries for (for their list page)."""
    mine = []
    if user.has_role(Role.LINE_MANAGER):
        mine.append(Award.line_manager_id == user.id)
    if user.has_role(Role.PSW):
        mine.append(Award.psw_id == user.id)
        orgs = authority_ids(user)
        if orgs:
            mine.append(Award.employer_id.in_(orgs))
    if user.has_role(Role.SUPERVISOR):
        mine.append(
            exists().where(
                Allocation.award_id == Award.id,
                Allocation.user_id == user.id,
                Allocation.kind == PoolKind.SUPERVISOR,
                or_(
                    Allocation.ended_on.is_(None),
                    Allocation.ended_on
                    >= select(Cohort.programme_end)
                    .where(Cohort.id == Award.cohort_id)
                    .scalar_subquery(),
                ),
            )
        )
    if not mine:
        return None
    return select(Award).where(or_(*mine), Award.holder_id != user.id)


def report_scope(user) -> list[int] | None:
    """Staff read every authority (None); a PSW their own authorities' award holders."""
    if user.has_role(Role.STAFF):
        return None
    return authority_ids(user)
