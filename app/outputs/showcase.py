"""The showcase: accepted outputs their authors consented to share, for people of every
participating organisation. Consent and status are read on every request, so withdrawing
consent takes an entry out at once. One query for a page of entries, whatever its size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, case, func, literal, null, or_, select, union_all

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


def _filtered(stmt: Select, filters: Filters, with_application: bool = False) -> Select:
    """The showcase rule and the filters, on a statement over AwardOutput joined to Award
    (and to Application when the service area is asked for, unless `with_application`
    says the statement has joined it already)."""
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
        if not with_application:
            stmt = stmt.join(Application, Application.id == Award.application_id)
        stmt = stmt.where(Application.service_area == ServiceArea(filters.service_area))
    if filters.cohort:
        stmt = stmt.where(Award.cohort_id == filters.cohort)
    if filters.employer:
        stmt = stmt.where(Award.employer_id == filters.employer)
    return stmt


def _summaries_first():
    return case((AwardOutput.kind == OutputKind.SUMMARY, 0), else_=1)


def _order() -> list:
    return [_summaries_first(), Cohort.programme_start.desc(), AwardOutput.title, AwardOutput.id]


@dataclass
class Bucket:
    """The entries of one cohort that rank together: summaries or not (`group` 0 or 1),
    and the cohort's programme start (cohorts starting the same day interleave)."""

    group: int
    start: date
    cohort_id: int
    cohort_name: str
    entries: int


def buckets(filters: Filters) -> list[Bucket]:
    """How many entries each cohort has, summaries and the rest apart, in ranking order:
    one pass over the showcase that gives a page's total and where its rows lie."""
    group = _summaries_first().label("grp")
    counts = (
        _filtered(
            select(group, Award.cohort_id, func.count().label("entries"))
            .select_from(AwardOutput)
            .join(Award, Award.id == AwardOutput.award_id),
            filters,
        )
        .group_by(group, Award.cohort_id)
        .subquery()
    )
    rows = db.session.execute(
        select(counts.c.grp, Cohort.programme_start, Cohort.id, Cohort.name, counts.c.entries)
        .join(Cohort, Cohort.id == counts.c.cohort_id)
        .order_by(counts.c.grp, Cohort.programme_start.desc(), Cohort.id)
    )
    return [Bucket(*row) for row in rows]


def _details() -> Select:
    """Rows of (output, holder name, holder email, employer name, cohort name, service
    area), to be narrowed to the outputs wanted."""
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
    )


def _in_group(group: int, cohort_ids: list[int]):
    """Entries of ranking group `group` (0: summaries) in the cohorts `cohort_ids`."""
    kind = (
        AwardOutput.kind == OutputKind.SUMMARY
        if group == 0
        else AwardOutput.kind != OutputKind.SUMMARY
    )
    return and_(kind, Award.cohort_id.in_(cohort_ids))


def page_of(
    filters: Filters,
    number: int,
    per_page: int,
    counted: list[Bucket] | None = None,
    employers: dict[int, str] | None = None,
) -> Page:
    """One page of showcase entries. The cohorts' entry counts (`buckets`, or `counted`
    when the caller has them) give the total and the few cohorts the page's rows come
    from; only those cohorts' entries are then ranked, on the outputs, awards, holders and
    applications alone. Cohort names come with the counts, employer names from
    `employers` (the filter list's) or one look-up of the page's own."""
    counted = buckets(filters) if counted is None else counted
    # runs of entries that rank together: one group, one programme start
    runs: list[list] = []
    for b in counted:
        if runs and (runs[-1][0], runs[-1][1]) == (b.group, b.start):
            runs[-1][2].append(b.cohort_id)
            runs[-1][3] += b.entries
        else:
            runs.append([b.group, b.start, [b.cohort_id], b.entries])
    total = sum(run[3] for run in runs)
    offset = (number - 1) * per_page
    before, wanted, seen = 0, [], 0
    for run in runs:
        if seen + run[3] > offset and seen < offset + per_page:
            if not wanted:
                before = seen
            wanted.append(run)
        seen += run[3]
    if not wanted:
        return Page(items=[], page=number, per_page=per_page, total=total)
    starts = sorted({run[1] for run in wanted}, reverse=True)
    start_rank = {i: starts.index(run[1]) for run in wanted for i in run[2]}
    # the wanted runs are consecutive: at most the last summaries and the first others
    by_group: dict[int, list[int]] = {}
    for run in wanted:
        by_group.setdefault(run[0], []).extend(run[2])
    stmt = (
        select(
            AwardOutput,
            User.name,
            User.email,
            Award.employer_id,
            Award.cohort_id,
            Application.service_area,
        )
        .join(Award, Award.id == AwardOutput.award_id)
        .join(User, User.id == Award.holder_id)
        .join(Application, Application.id == Award.application_id)
        .where(or_(*(_in_group(group, ids) for group, ids in by_group.items())))
    )
    stmt = _filtered(stmt, filters, with_application=True).order_by(
        _summaries_first(),
        case(start_rank, value=Award.cohort_id),
        AwardOutput.title,
        AwardOutput.id,
    )
    rows = db.session.execute(stmt.limit(per_page).offset(offset - before)).all()
    cohort_names = {b.cohort_id: b.cohort_name for b in counted}
    employer_names = dict(employers or {})
    missing = {row[3] for row in rows} - employer_names.keys()
    if missing:
        employer_names.update(
            db.session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(missing))
            ).all()
        )
    items = [
        (o, name, email, employer_names[employer], cohort_names[cohort], area)
        for o, name, email, employer, cohort, area in rows
    ]
    return Page(items=items, page=number, per_page=per_page, total=total)


def _taking_part(award_column, column):
    """`column` names an award's `award_column` (cohort, employer) with an entry: looked
    up per name and stopping at its first entry, where a semi-join read every entry."""
    first_entry = (
        select(literal(1))
        .select_from(Award)
        .join(AwardOutput, AwardOutput.award_id == Award.id)
        .where(award_column == column, *in_showcase())
        .limit(1)
        .scalar_subquery()
    )
    return first_entry.is_not(None)


def filter_options(counted: list[Bucket] | None = None) -> tuple[list, list]:
    """(cohorts, employers) that have at least one entry, for the filter lists, in one
    statement; the unfiltered `buckets`, when the caller has them, name the cohorts."""
    employers = select(
        literal(1).label("list"), Organisation.id, Organisation.name, null().label("start")
    ).where(_taking_part(Award.employer_id, Organisation.id))
    if counted is not None:
        named = {(-b.start.toordinal(), b.cohort_name, b.cohort_id) for b in counted}
        rows = db.session.execute(employers.order_by(Organisation.name, Organisation.id))
        return [(i, name) for _, name, i in sorted(named)], [(r.id, r.name) for r in rows]
    cohorts = select(
        literal(0).label("list"), Cohort.id, Cohort.name, Cohort.programme_start.label("start")
    ).where(_taking_part(Award.cohort_id, Cohort.id))
    both = union_all(cohorts, employers).subquery()
    rows = db.session.execute(
        select(both).order_by(both.c.list, both.c.start.desc(), both.c.name, both.c.id)
    ).all()
    return (
        [(r.id, r.name) for r in rows if r.list == 0],
        [(r.id, r.name) for r in rows if r.list == 1],
    )


def entry(output_id: int):
    """One showcase row, or None when the output is not (or no longer) in the showcase."""
    return db.session.execute(_details().where(AwardOutput.id == output_id, *in_showcase())).first()
