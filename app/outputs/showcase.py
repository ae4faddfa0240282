"""The showcase: accepted outputs their authors consented to share, for people of every
participating organisation. Consent and status are read on every request, so withdrawing
consent takes an entry out at once. One query for a page of entries, whatever its size."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, case, func, or_, select

from app.accounts.models import User
from app.applications.models import Application, ServiceArea
from app.awards.models import Award, AwardOutput, OutputKind, OutputStatus
from app.cohorts.models import Cohort
from app.extensions import db
from app.organisations.models import Organisation


@dataclass
class Filters:
    q: str = ""
    service_area: str = ""
    cohort: int | None = None
    employer: int | None = None

    def active(self) -> bool:
        return bool(self.q or self.service_area or self.cohort or self.employer)


def in_showcase():
    """The rule in SQL: accepted, and the author consents today."""
    return (AwardOutput.showcase_consent.is_(True), AwardOutput.status == OutputStatus.ACCEPTED)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def entries(filters: Filters) -> Select:
    """Rows of (output, holder name, holder email, employer name, cohort name, service
    area), one-page summaries first."""
    stmt = (
        select(
            AwardOutput,
            User.name,
            User.email,
            Organisation.name,
            Cohort.name,
            Application.service_area,
        )
        .join(Award, Award.id == AwardOutput.award_id)
        .join(User, User.id == Award.holder_id)
        .join(Organisation, Organisation.id == Award.employer_id)
        .join(Cohort, Cohort.id == Award.cohort_id)
        .join(Application, Application.id == Award.application_id)
        .where(*in_showcase())
    )
    if filters.q:
        pattern = f"%{_escape_like(filters.q.lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(AwardOutput.title).like(pattern, escape="\\"),
                func.lower(AwardOutput.topic).like(pattern, escape="\\"),
            )
        )
    if filters.service_area:
        stmt = stmt.where(Application.service_area == ServiceArea(filters.service_area))
    if filters.cohort:
        stmt = stmt.where(Award.cohort_id == filters.cohort)
    if filters.employer:
        stmt = stmt.where(Award.employer_id == filters.employer)
    summaries_first = case((AwardOutput.kind == OutputKind.SUMMARY, 0), else_=1)
    return stmt.order_by(
        summaries_first, Cohort.programme_start.desc(), AwardOutput.title, AwardOutput.id
    )


def count(stmt: Select) -> Select:
    return select(func.count()).select_from(
        stmt.order_by(None).with_only_columns(AwardOutput.id).subquery()
    )


def filter_options() -> tuple[list, list]:
    """(cohorts, employers) that have at least one entry, for the filter lists."""
    base = (
        select(Award.cohort_id, Award.employer_id)
        .join(AwardOutput, AwardOutput.award_id == Award.id)
        .where(*in_showcase())
        .distinct()
        .subquery()
    )
    cohorts = db.session.execute(
        select(Cohort.id, Cohort.name)
        .where(Cohort.id.in_(select(base.c.cohort_id)))
        .order_by(Cohort.programme_start.desc())
    ).all()
    employers = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(select(base.c.employer_id)))
        .order_by(Organisation.name)
    ).all()
    return cohorts, employers


def entry(output_id: int):
    """One showcase row, or None when the output is not (or no longer) in the showcase."""
    stmt = entries(Filters()).where(AwardOutput.id == output_id)
    return db.session.execute(stmt).first()
