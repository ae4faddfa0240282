"""What every residentials module shares: the error the views show, who may see a
workshop, the cohort's members and the check that a date is one of a workshop's days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core import state
from app.core.formatting import format_date
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Nation, Organisation
from app.residentials.models import WORKSHOP_DAYS, Workshop


class ResidentialError(Exception):
    """A rule refused the action; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class RegisterChanged(ResidentialError, state.Conflict):
    """Someone else changed the register first; nothing was written."""


def require_staff(actor: User) -> None:
    if not actor.has_role(Role.STAFF):
        raise ResidentialError("Only programme staff can do this.")


# Who sees what ----------------------------------------------------------------------------


def holder_award(user: User, cohort_id: int) -> Award | None:
    """The user's award in this cohort, if they hold one."""
    return db.session.scalar(
        select(Award).where(Award.cohort_id == cohort_id, Award.holder_id == user.id)
    )


def can_view(user: User, workshop: Workshop) -> bool:
    """Programme staff, and the award holders of the workshop's cohort."""
    if user.has_role(Role.STAFF):
        return True
    return user.has_role(Role.AWARD_HOLDER) and holder_award(user, workshop.cohort_id) is not None


def workshop_count(cohort: Cohort) -> int:
    """How many workshops the cohort's residential days make (6 days: three of two)."""
    return cohort.residential_days // WORKSHOP_DAYS


def members(cohort_id: int) -> list[Award]:
    """The cohort's award holders, by name, with their holder loaded (no roles)."""
    return list(
        db.session.scalars(
            select(Award)
            .join(User, User.id == Award.holder_id)
            .options(joinedload(Award.holder).lazyload(User.role_links))
            .where(Award.cohort_id == cohort_id)
            .order_by(User.name, Award.id)
        )
    )


def nations(cohort_id: int) -> set[Nation]:
    """The nations of the cohort's employers: a workshop day must be a working day in each."""
    found = set(
        db.session.scalars(
            select(Organisation.nation)
            .join(Award, Award.employer_id == Organisation.id)
            .where(Award.cohort_id == cohort_id)
            .distinct()
        )
    )
    return found or {Nation.ENGLAND_AND_WALES}


def check_day(workshop: Workshop, day: date) -> None:
    if day not in workshop.days:
        raise ResidentialError(
            f"{format_date(day)} is not a day of {workshop.title.lower()} "
            f"({format_date(workshop.starts_on)} to {format_date(workshop.ends_on)}). "
            "Nothing was changed."
        )
