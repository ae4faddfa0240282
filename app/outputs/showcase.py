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
from app.core.pagination import Page
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


def _filtered(stmt: Select, filters: Filters) -> Select:
    """The showcase rule and the filters, on a statement over AwardOutput joined to Award
    (and Application when the service area is asked for)."""
    stmt = stmt.where(*in_showcase())
    if filters.q:
        pattern = f"%{_escape_like(filters.q.lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(AwardOutput.title).like(pattern, escape="\\"),
                func.lower(AwardOutput.topic).like(pattern, escape="\\"),
            )
        )
    if filters.service_area:
        stmt = stmt.join(Application, Application.id == Award.application_id).where(
            Application.service_area == ServiceArea(filters.service_area)
        )
    if filters.cohort:
        stmt = stmt.where(Award.cohort_id == filters.cohort)
    if filters.employer:
        stmt = stmt.where(Award.employer_id == filters.employer)
    return stmt


def _order() -> list:
    summaries_first = case((AwardOutput.kind == OutputKind.SUMMARY, 0), else_=1)
    return [summaries_first, Cohort.programme_start.desc(), AwardOutput.title, AwardOutput.id]


def ranked(filters: Filters) -> Select:
    """The ids of the outputs in the showcase, one-page summaries first: ranked over the
    outputs, their awards and cohorts only, so a page joins names for its own rows
    rather than for the thousands of entries a national showcase holds."""
    base = (
        select(AwardOutput.id)
        .join(Award, Award.id == AwardOutput.award_id)
        .join(Cohort, Cohort.id == Award.cohort_id)
    )
    return _filtered(base, filters).order_by(*_order())


def _details(ids) -> Select:
    """Rows of (output, holder name, holder email, employer name, cohort name, service
    area) for the outputs `ids` names."""
    return (
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
        .where(AwardOutput.id.in_(ids))
        .order_by(*_order())
    )


def page_of(filters: Filters, number: int, per_page: int) -> Page:
    """One page of showcase entries: counted and ranked on the outputs alone, then the
    page's rows loaded with their names (two statements besides the count)."""
    stmt = ranked(filters)
    total = db.session.scalar(count(stmt)) or 0
    ids = list(db.session.scalars(stmt.limit(per_page).offset((number - 1) * per_page)))
    rows = list(db.session.execute(_details(ids))) if ids else []
    return Page(items=rows, page=number, per_page=per_page, total=total)


def count(stmt: Select) -> Select:
    return select(func.count()).select_from(stmt.order_by(None).subquery())


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
    return db.session.execute(_details([output_id]).where(*in_showcase())).first()
