"""Read-side queries for programme staff and PSWs: who is behind with their release days,
a cohort's balances, and the cohort's ledger as CSV.

Who may see which award holders is decided here, once (`Scope`): staff see everyone, a
PSW only the award holders employed by their own authority.

The at-risk list is ranked by `services.Pace`, the one definition of "behind", which
`pace_sql` states again as SQL (integer tenths of a day, so both agree exactly; a test
holds them together). The database ranks, filters, counts and pages the award holders;
only the page's rows are loaded, with their balances in one GROUP BY. The query count
does not depend on the number of award holders.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import Integer, Select, case, func, literal, literal_column, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, load_only
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.cohorts.services import psw_organisations
from app.core.csv import safe_cell
from app.core.formatting import to_london
from app.core.pagination import Page, parse_page
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Organisation
from app.release import services
from app.release.models import DayKind, DayStatus, ReleaseDay

T = TypeVar("T")

# Access -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The award holders a viewer may oversee: all of them, or their authorities' staff."""

    everyone: bool
    employer_ids: frozenset[int] = frozenset()

    def apply(self, stmt: Select) -> Select:
        if self.everyone:
            return stmt
        return stmt.where(Award.employer_id.in_([_n(i) for i in sorted(self.employer_ids or {-1})]))


def scope_for(user: User) -> Scope:
    if user.has_role(Role.STAFF):
        return Scope(everyone=True)
    return Scope(everyone=False, employer_ids=frozenset(o.id for o in psw_organisations(user)))


def can_view_cohort(scope: Scope, cohort: Cohort) -> bool:
    """Staff: any cohort. A PSW: a cohort with at least one award holder from their
    authority (otherwise the page answers 404, so ids leak nothing)."""
    if scope.everyone:
        return True
    mine = scope.apply(select(Award.id).where(Award.cohort_id == cohort.id))
    return bool(db.session.scalar(select(mine.exists())))


# Cohorts ------------------------------------------------------------------------------


def running_cohort_filter(today: date):
    return (Cohort.programme_start <= today) & (Cohort.programme_end >= today)


def cohorts_with_awards(scope: Scope) -> list[Cohort]:
    """For the cohort filter: cohorts with award holders this viewer may see, newest first."""
    has_award = scope.apply(select(Award.id).where(Award.cohort_id == Cohort.id)).exists()
    return list(
        db.session.scalars(
            select(Cohort).where(has_award).order_by(Cohort.programme_start.desc(), Cohort.id)
        )
    )


# The at-risk list ---------------------------------------------------------------------

SORTS = {"behind": "Days behind", "name": "Award holder", "employer": "Employer"}
DEFAULT_DIR = {"behind": "desc", "name": "asc", "employer": "asc"}


@dataclass
class RiskFilters:
    cohort_id: int | None = None  # None: every cohort now in its programme year
    at_risk_only: bool = False
    sort: str = "behind"
    dir: str = "desc"
    page: int = 1

    @classmethod
    def from_args(cls, args, cohorts: list[Cohort]) -> RiskFilters:
        """Unknown values fall back to the defaults, never an error."""
        try:
            cohort_id = int(args.get("cohort", ""))
        except ValueError:
            cohort_id = None
        if cohort_id not in {c.id for c in cohorts}:
            cohort_id = None
        sort = args.get("sort", "behind")
        sort = sort if sort in SORTS else "behind"
        direction = args.get("dir", "")
        return cls(
            cohort_id=cohort_id,
            at_risk_only=args.get("at_risk") == "1",
            sort=sort,
            dir=direction if direction in ("asc", "desc") else DEFAULT_DIR[sort],
            page=parse_page(args.get("page")),
        )

    @property
    def active(self) -> bool:
        return self.cohort_id is not None or self.at_risk_only


@dataclass
class RiskRow:
    """One line of the at-risk table: names and figures straight from the query."""

    award_id: int
    holder: str
    employer: str
    cohort: str
    line_manager: str | None
    pace: services.Pace


@dataclass
class RiskList:
    page: Page  # of RiskRow
    holders: int  # in the cohort(s) chosen, before the "at risk only" filter
    at_risk: int  # of those, how many are at risk


def _cohorts_in_view(cohort_id: int | None, today: date) -> list[Cohort]:
    stmt = select(Cohort).where(
        Cohort.id == cohort_id if cohort_id is not None else running_cohort_filter(today)
    )
    return list(db.session.scalars(stmt))


@dataclass
class PaceSQL:
    """`services.Pace` as SQL over Award, in tenths of a day. Each cohort's progress through
    its year is worked out here (a handful of cohorts) and written into a CASE once, in a
    per-award common table expression (`per_award`, materialized so it is worked out once)
    that also sums each award's ledger from the ledger's index. The rule's expressions
    below only name its columns: stating the CASE again in every expression that uses it made the
    ranking statement 8 KB of SQL, which cost more to send, convert and plan than to run."""

    figures: Any  # per award: entitled, expected, committed, called_back, ended, behind, ...
    expected: Any
    committed: Any
    called_back: Any
    behind: Any
    at_risk: Any
    ended: Any  # 1 when the award's programme year is over (nobody is behind then)
    unaccounted: Any  # after the year: entitled days never approved, taken or called back

    def join(self, stmt: Select) -> Select:
        return stmt.outerjoin(self.figures, self.figures.c.award_id == Award.id)


def _n(value: int):
    """A whole number written into the SQL rather than bound: the ranking statement's
    cohort ids and per-cohort figures (a few, computed here from integers) keep it short
    enough for the driver to cache and prepare it (psycopg caches statements up to 4 KB)."""
    return literal_column(str(int(value)), Integer)


def _cohort_in(ids: list[int]):
    return Award.cohort_id.in_([_n(i) for i in ids] or [_n(-1)])


def pace_sql(cohorts: list[Cohort], today: date, award_ids: Select | None = None) -> PaceSQL:
    """`award_ids` (a SELECT of Award.id) limits the figures to the awards in view;
    by default, every award in `cohorts`."""
    if award_ids is None:
        award_ids = select(Award.id).where(_cohort_in([c.id for c in cohorts]))
    entitled = Award.study_days + Award.residential_days
    per_cohort = []
    for c in cohorts:
        elapsed, total = services.programme_progress(c.programme_start, c.programme_end, today)
        # services.expected_tenths, as integer arithmetic the database does the same way
        per_cohort.append(
            (
                Award.cohort_id == _n(c.id),
                (entitled * _n(20 * elapsed) + _n(total)) // _n(2 * total),
            )
        )
    ended_ids = [c.id for c in cohorts if today > c.programme_end]

    def ledger_tenths(statuses: list[DayStatus]):
        """The award's days in these statuses, in tenths, read from the ledger's index for
        this award only (a correlated subquery: cheaper than grouping every award's days
        and joining the groups back)."""
        half_days = select(func.sum(ReleaseDay.half_days)).where(
            ReleaseDay.award_id == Award.id, ReleaseDay.status.in_(statuses)
        )
        return func.coalesce(half_days.scalar_subquery(), 0) * 5

    year_over = case((Award.cohort_id.in_(ended_ids), 1), else_=0) if ended_ids else literal(0)
    figures = (
        award_ids.with_only_columns(
            Award.id.label("award_id"),
            entitled.label("entitled"),
            (case(*per_cohort, else_=0) if per_cohort else literal(0)).label("expected"),
            ledger_tenths([DayStatus.APPROVED, DayStatus.TAKEN]).label("committed"),
            # called-back days only matter once a year has ended
            (
                case(
                    (Award.cohort_id.in_(ended_ids), ledger_tenths([DayStatus.CALLED_BACK])),
                    else_=0,
                )
                if ended_ids
                else literal(0)
            ).label("called_back"),
            year_over.label("ended"),
        )
        # worked out once per award: inlined, each expression naming a column would run
        # the ledger subqueries again
        .cte("per_award")
        .prefix_with("MATERIALIZED")
    )
    f = figures.c
    ended = f.ended == 1
    gap = f.expected - f.committed
    behind = case((ended, 0), (gap > 0, gap), else_=0)  # services.Pace.behind_tenths
    threshold = case((f.entitled > 20, f.entitled), else_=20)  # services.risk_threshold_tenths
    left = f.entitled * 10 - f.committed - f.called_back
    pace = select(
        *f,
        behind.label("behind"),
        case((behind >= threshold, 1), else_=0).label("at_risk"),
        case((ended & (left > 0), left), else_=0).label("unaccounted"),
    ).subquery("pace")
    p = pace.c
    return PaceSQL(
        pace,
        p.expected,
        p.committed,
        p.called_back,
        p.behind,
        p.at_risk == 1,
        p.ended,
        p.unaccounted,
    )


def _in_view(scope: Scope, cohorts: list[Cohort]) -> Select:
    return scope.apply(select(Award).where(_cohort_in([c.id for c in cohorts])))


def _pace_in_view(scope: Scope, cohorts: list[Cohort], today: date) -> PaceSQL:
    return pace_sql(cohorts, today, _in_view(scope, cohorts).with_only_columns(Award.id))


_STATEMENTS: OrderedDict[tuple, Any] = OrderedDict()
_STATEMENTS_MAX = 256
_STATEMENTS_LOCK = threading.Lock()


def _cached(key: tuple, build: Callable[[], T]) -> T:
    """A statement built once per key and kept (the last few hundred, per worker). The
    at-risk statements depend only on the viewer's scope, the cohorts, the day, the filter
    and the order, and building them cost more Python than running them."""
    with _STATEMENTS_LOCK:
        found = _STATEMENTS.get(key)
        if found is not None:
            _STATEMENTS.move_to_end(key)
            return found
    built = build()
    with _STATEMENTS_LOCK:
        _STATEMENTS[key] = built
        if len(_STATEMENTS) > _STATEMENTS_MAX:
            _STATEMENTS.popitem(last=False)
    return built


def _cohorts_key(cohorts: list[Cohort]) -> tuple:
    return tuple((c.id, c.programme_start, c.programme_end) for c in cohorts)


def _ranking(
    scope: Scope, cohorts: list[Cohort], today: date, at_risk_only: bool, sort: str, dir: str
) -> Select:
    """The ranking query for these cohorts, today, filter and order (built once per key)."""
    key = ("ranking", scope, _cohorts_key(cohorts), today, at_risk_only, sort, dir)
    return _cached(key, lambda: _build_ranking(scope, cohorts, today, at_risk_only, sort, dir))


def _build_ranking(
    scope: Scope, cohorts: list[Cohort], today: date, at_risk_only: bool, sort: str, dir: str
) -> Select:
    pace = _pace_in_view(scope, cohorts, today)
    holder, manager = aliased(User), aliased(User)
    risky = pace.figures.c.at_risk
    # Only what ranks the rows is joined for every award in view; the cohort's name is
    # known already (at_risk_list) and the line manager's is read for the page's rows only.
    figures = pace.join(
        _in_view(scope, cohorts)
        .with_only_columns(
            Award.id.label("award_id"),
            holder.name.label("holder"),
            Organisation.name.label("employer"),
            Award.cohort_id.label("cohort_id"),
            Award.line_manager_id.label("line_manager_id"),
            (Award.study_days + Award.residential_days).label("entitled"),
            pace.expected.label("expected"),
            pace.committed.label("committed"),
            pace.behind.label("behind"),
            pace.ended.label("ended"),
            pace.called_back.label("called_back"),
            pace.unaccounted.label("unaccounted"),
            risky.label("risky"),
            func.lower(holder.name).label("sort_name"),
            func.lower(Organisation.name).label("sort_employer"),
            func.count().over().label("holders"),
            func.sum(risky).over().label("at_risk_total"),
        )
        .join(holder, holder.id == Award.holder_id)
        .join(Organisation, Organisation.id == Award.employer_id)
    ).subquery("figures")
    t = figures.c
    # in the outer SELECT, so the database reads it after the LIMIT: 25 lookups, not one
    # per award in view
    line_manager = select(manager.name).where(manager.id == t.line_manager_id).scalar_subquery()
    stmt = select(figures, line_manager.label("line_manager"))
    if at_risk_only:
        stmt = stmt.where(t.risky == 1)
    keys = {
        "behind": [t.behind, t.unaccounted],
        "name": [t.sort_name],
        "employer": [t.sort_employer],
    }
    order = [k.desc() if dir == "desc" else k.asc() for k in keys[sort]]
    if sort != "name":  # ties go by name, A to Z
        order.append(t.sort_name.asc())
    return stmt.order_by(*order, t.award_id)


def at_risk_list(
    scope: Scope, f: RiskFilters, today: date, cohorts: list[Cohort] | None = None
) -> RiskList:
    """One page of award holders, ranked, counted and paged by the database in one query:
    the figures for every award in view are worked out once, the totals come from window
    functions over them, and only the page's rows come back, as plain columns (names and
    tenths of a day): 25 awards with four related people and places each cost more to
    build as ORM objects than to query.

    `cohorts`: the viewer's cohorts with award holders (`cohorts_with_awards`), when the
    caller has them already; otherwise they are read here."""
    if cohorts is None:
        in_view = _cohorts_in_view(f.cohort_id, today)
    elif f.cohort_id is not None:
        in_view = [c for c in cohorts if c.id == f.cohort_id]
    else:
        in_view = [c for c in cohorts if c.programme_start <= today <= c.programme_end]
    stmt = _ranking(scope, in_view, today, f.at_risk_only, f.sort, f.dir)

    per_page = current_app.config["PER_PAGE"]
    rows = _risk_page(stmt, f.page, per_page)
    if rows:
        holders, behind_count = int(rows[0].holders), int(rows[0].at_risk_total or 0)
        number = f.page
    else:  # nobody, or a page past the end: count, then show the last page
        holders, behind_count = _counts(scope, in_view, today)
        total = behind_count if f.at_risk_only else holders
        number = min(f.page, max(1, -(-total // per_page)))
        rows = _risk_page(stmt, number, per_page) if number != f.page else []
    total = behind_count if f.at_risk_only else holders
    cohort_names = {c.id: c.name for c in in_view}
    items = [
        RiskRow(
            award_id=r.award_id,
            holder=r.holder,
            employer=r.employer,
            cohort=cohort_names[r.cohort_id],
            line_manager=r.line_manager,
            pace=services.Pace(
                expected_tenths=int(r.expected),
                actual_tenths=int(r.committed),
                entitled=int(r.entitled),
                ended=bool(r.ended),
                called_back_tenths=int(r.called_back),
            ),
        )
        for r in rows
    ]
    return RiskList(
        page=Page(items, number, per_page, total), holders=holders, at_risk=behind_count
    )


def _risk_page(stmt: Select, number: int, per_page: int) -> list:
    return list(db.session.execute(stmt.limit(per_page).offset((number - 1) * per_page)))


def _counts(scope: Scope, cohorts: list[Cohort], today: date) -> tuple[int, int]:
    """(award holders, of whom at risk) in the cohorts, in one query (built once per key)."""

    def build() -> Select:
        # the figures hold one row per award in view: counted as they are, not joined back
        pace = _pace_in_view(scope, cohorts, today)
        return select(
            func.count(), func.coalesce(func.sum(case((pace.at_risk, 1), else_=0)), 0)
        ).select_from(pace.figures)

    stmt = _cached(("count", scope, _cohorts_key(cohorts), today), build)
    holders, behind = db.session.execute(stmt).one()
    return int(holders), int(behind)


def at_risk_count(scope: Scope, today: date) -> tuple[int, int]:
    """(award holders behind, award holders) in the cohorts now in their programme year."""
    holders, behind = _counts(scope, _cohorts_in_view(None, today), today)
    return behind, holders


# A cohort's balances ------------------------------------------------------------------


@dataclass
class BalanceRow:
    award: Award
    study: services.Balance
    residential: services.Balance
    pace: services.Pace


def cohort_balances(scope: Scope, cohort: Cohort, page: int, today: date) -> Page:
    """One page of award holders (A to Z) with their balances, from the ledger."""
    stmt = (
        scope.apply(select(Award).where(Award.cohort_id == cohort.id))
        .join(User, User.id == Award.holder_id)
        .options(
            # only what the table and the pace need
            load_only(
                Award.id,
                Award.cohort_id,
                Award.study_days,
                Award.residential_days,
                Award.employer_id,
            ),
            contains_eager(Award.holder).load_only(User.id, User.name).lazyload(User.role_links),
            joinedload(Award.employer).load_only(Organisation.id, Organisation.name),
        )
        .order_by(func.lower(User.name), Award.id)
    )
    # the page and the number of holders in one query (a window count): no COUNT query
    per_page = current_app.config["PER_PAGE"]
    found = db.session.execute(
        stmt.add_columns(func.count().over()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    if found:
        total = found[0][1]
    elif page == 1:
        total = 0
    else:  # past the last page: count to show where the pages end
        total = db.session.scalar(
            scope.apply(select(func.count(Award.id)).where(Award.cohort_id == cohort.id))
        )
    result = Page(items=[a for a, _ in found], page=page, per_page=per_page, total=total)
    for a in result.items:  # the cohort is already loaded: no lookup per row
        set_committed_value(a, "cohort", cohort)
    sums = services.balances_for([a.id for a in result.items])
    rows = []
    for a in result.items:
        b = services.balance(a, sums[a.id])
        rows.append(
            BalanceRow(
                a, b[DayKind.STUDY], b[DayKind.RESIDENTIAL], services.pace(a, today, sums[a.id])
            )
        )
    result.items = rows
    return result


def awards_in_cohort(cohort: Cohort) -> list[Award]:
    """For the residential form: every award holder in the cohort, A to Z."""
    return list(
        db.session.scalars(
            select(Award)
            .join(User, User.id == Award.holder_id)
            .where(Award.cohort_id == cohort.id)
            .options(contains_eager(Award.holder), joinedload(Award.employer))
            .order_by(func.lower(User.name), Award.id)
        ).unique()
    )


# The cohort ledger as CSV -------------------------------------------------------------

CSV_HEADER = [
    "Award holder",
    "Email",
    "Employer",
    "Date",
    "Weekday",
    "Whole or half day",
    "Days",
    "Kind",
    "Status",
    "Retrospective",
    "Requested at (UK time)",
    "Decided by",
    "Decided for (delegation)",
    "Decided at (UK time)",
    "Reason",
]
CSV_BATCH = 500


def _when(value) -> str:
    return to_london(value).strftime("%Y-%m-%d %H:%M") if value else ""


def ledger_rows(scope: Scope, cohort: Cohort) -> Iterator[list[object]]:
    """Every ledger entry in the cohort, holder A to Z then by date. Rows are fetched in
    batches over a server-side cursor (`yield_per`), so memory stays flat."""
    holder, decider, manager = aliased(User), aliased(User), aliased(User)
    stmt = (
        select(
            holder.name,
            holder.email,
            Organisation.name,
            ReleaseDay.day,
            ReleaseDay.half_days,
            ReleaseDay.kind,
            ReleaseDay.status,
            ReleaseDay.retrospective,
            ReleaseDay.requested_at,
            decider.name,
            manager.name,
            ReleaseDay.decided_at,
            ReleaseDay.reason,
        )
        .select_from(ReleaseDay)
        .join(Award, Award.id == ReleaseDay.award_id)
        .join(holder, holder.id == Award.holder_id)
        .join(Organisation, Organisation.id == Award.employer_id)
        .outerjoin(decider, decider.id == ReleaseDay.decided_by_id)
        .outerjoin(manager, manager.id == ReleaseDay.decided_for_id)
        .where(Award.cohort_id == cohort.id)
        .order_by(func.lower(holder.name), Award.id, ReleaseDay.day, ReleaseDay.id)
        .execution_options(yield_per=CSV_BATCH)
    )
    yield CSV_HEADER
    for row in db.session.execute(scope.apply(stmt)):
        (name, email, employer, day, half_days, kind, status, retro, asked, by, for_, at, why) = row
        yield [
            name,
            email,
            employer,
            day.isoformat(),
            f"{day:%A}",
            "Whole day" if half_days == 2 else "Half day",
            f"{half_days / 2:g}",
            DayKind(kind).label,
            DayStatus(status).label,
            "Yes" if retro else "No",
            _when(asked),
            by or "",
            for_ or "",
            _when(at),
            why or "",
        ]


def ledger_csv_lines(scope: Scope, cohort: Cohort) -> Iterator[str]:
    """The CSV one line at a time (UTF-8 with a byte order mark, for Excel)."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in ledger_rows(scope, cohort):
        writer.writerow([safe_cell(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def csv_filename(cohort: Cohort) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in cohort.name.lower()).strip("-")
    return f"release-ledger-{slug or cohort.id}.csv"
