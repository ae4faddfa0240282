"""Creating an award holder's programme record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.accounts.models import User, UserRole
from app.awards.models import Award, AwardOutput
from app.core import audit
from app.core.roles import Role
from app.extensions import db
from app.outputs.services import output_types

if TYPE_CHECKING:
    from app.applications.models import Application


def create_award(app: Application, actor: User) -> Award:
    """The start of the 36-day ledger, the personal award budget and the outputs to come."""
    cohort = app.cohort
    award = Award(
        application_id=app.id,
        cohort_id=cohort.id,
        holder_id=app.applicant_id,
        employer_id=app.employer_id,
        line_manager_id=app.line_manager_id,
        psw_id=app.psw_id,
        residential_days=cohort.residential_days,
        study_days=cohort.study_days,
        personal_award_cap_pence=cohort.personal_award_cap_pence,
        backfill_pence=cohort.backfill_pence,
    )
    for kind, due in output_types(cohort):
        award.outputs.append(AwardOutput(kind=kind, due_date=due))
    db.session.add(award)
    holder = app.applicant
    if not holder.has_role(Role.AWARD_HOLDER):
        holder.role_links.append(UserRole(role=Role.AWARD_HOLDER))
    db.session.flush()
    audit.record(
        "award.created",
        award,
        actor=actor,
        summary=f"{holder.name}, {cohort.name}",
        changes=audit.diff(
            {},
            {
                "study_days": award.study_days,
                "residential_days": award.residential_days,
                "personal_award_cap_pence": award.personal_award_cap_pence,
            },
        ),
    )
    return award


def holder_awards(holder_id: int) -> list[Award]:
    """The award holder's awards with their cohorts, latest programme first, read once a
    request: the home page's money, research-days and supervision cards each ask."""
    from flask import g, has_request_context
    from sqlalchemy.orm import joinedload

    from app.cohorts.models import Cohort

    def load() -> list[Award]:
        return list(
            db.session.scalars(
                db.select(Award)
                .join(Cohort, Cohort.id == Award.cohort_id)
                .options(joinedload(Award.cohort))
                .where(Award.holder_id == holder_id)
                .order_by(Cohort.programme_start.desc())
            )
        )

    if not has_request_context():
        return load()
    key = f"_holder_awards_{holder_id}"
    if key not in g:
        setattr(g, key, load())
    return getattr(g, key)


def latest_award(holder_id: int) -> Award | None:
    """The award holder's most recent award: the one their own pages open on."""
    return db.session.scalar(
        db.select(Award).where(Award.holder_id == holder_id).order_by(Award.awarded_at.desc())
    )
