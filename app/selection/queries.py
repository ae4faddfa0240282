"""Read-side queries for selection: cohort counts, a cohort's applications (filtered,
sorted and paginated in SQL) and what is waiting for review."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, case, func, null, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.applications.models import (
    Application,
    ApplicationEvent,
    AppStatus,
    Review,
    ServiceArea,
    SignOff,
    SignOffDecision,
)
from app.cohorts.models import Cohort
from app.core.pagination import Page, paginate, parse_page
from app.extensions import db
from app.organisations.models import Organisation

# What programme staff look at: everything except drafts nobody has submitted yet.
# Every status but draft, decisions in the order they are offered (forms.OUTCOMES).
LISTED = [
    AppStatus.SUBMITTED,
    AppStatus.ENDORSED,
    AppStatus.PSW_DECLINED,
    AppStatus.SHORTLISTED,
    AppStatus.AWARDED,
    AppStatus.WAITLISTED,
    AppStatus.DECLINED,
    AppStatus.WITHDRAWN,
]
# Signed off by a PSW and not yet decided.
WAITING_FOR_REVIEW = (AppStatus.ENDORSED, AppStatus.SHORTLISTED)

SIGN_OFF_CHOICES = [
    ("endorsed", "Endorsed by PSW"),
    ("declined", "Not endorsed by PSW"),
    ("none", "No sign-off yet"),
]
SORTS = {
    "submitted": "Submitted",
    "name": "Applicant",
    "employer": "Employer",
    "score": "Score",
}
# The direction each column starts in when first chosen.
DEFAULT_DIR = {"submitted": "asc", "name": "asc", "employer": "asc", "score": "desc"}


COHORTS_PER_PAGE = 10


def cohort_page(page: int) -> Page:
    """Ten cohorts a page, newest first: each row counts its applications by status, and
    selection is about the newest few (a national programme has dozens of cohorts)."""
    stmt = select(Cohort).order_by(Cohort.programme_start.desc(), Cohort.id.desc())
    return paginate(stmt, page, COHORTS_PER_PAGE)


def status_counts(cohort_ids: list[int]) -> dict[int, dict[AppStatus, int]]:
    """{cohort id: {status: count}} for the listed statuses, one GROUP BY."""
    out: dict[int, dict[AppStatus, int]] = {cid: {} for cid in cohort_ids}
    if not cohort_ids:
        return out
    rows = db.session.execute(
        select(Application.cohort_id, Application.status, func.count(Application.id))
        .where(Application.cohort_id.in_(cohort_ids), Application.status.in_(LISTED))
        .group_by(Application.cohort_id, Application.status)
    )
    for cohort_id, status, n in rows:
        out[cohort_id][AppStatus(status)] = n
    return out


def cohort_employers(cohort_id: int) -> list[tuple[int, str]]:
    """The employers that have applications in this cohort (for the filter)."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .join(Application, Application.employer_id == Organisation.id)
        .where(Application.cohort_id == cohort_id, Application.status.in_(LISTED))
        .group_by(Organisation.id, Organisation.name)
        .order_by(Organisation.name)
    )
    return [(r.id, r.name) for r in rows]


@dataclass
class ApplicationFilters:
    status: str = ""
    employer: int | None = None
    service_area: str = ""
    sign_off: str = ""
    sort: str = "submitted"
    dir: str = "asc"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> ApplicationFilters:
        """Unknown values are ignored, never an error: a bad link shows everything."""
        status = args.get("status", "")
        area = args.get("service_area", "")
        sign_off = args.get("sign_off", "")
        sort = args.get("sort", "submitted")
        sort = sort if sort in SORTS else "submitted"
        direction = args.get("dir", "")
        try:
            employer = int(args.get("employer", ""))
        except ValueError:
            employer = None
        if employer is not None and not 0 < employer < 2**31:
            employer = None
        return cls(
            status=status if status in {s.value for s in LISTED} else "",
            employer=employer,
            service_area=area if area in {a.value for a in ServiceArea} else "",
            sign_off=sign_off if sign_off in {v for v, _ in SIGN_OFF_CHOICES} else "",
            sort=sort,
            dir=direction if direction in ("asc", "desc") else DEFAULT_DIR[sort],
            page=parse_page(args.get("page")),
        )

    @property
    def active(self) -> bool:
        return bool(self.status or self.employer or self.service_area or self.sign_off)


def _score_columns(viewer: User):
    mine = (
        select(Review.score)
        .where(Review.application_id == Application.id, Review.reviewer_id == viewer.id)
        .scalar_subquery()
    )
    mean = (
        select(func.avg(Review.score)).where(Review.application_id == Application.id)
    ).scalar_subquery()
    count = (
        select(func.count(Review.id)).where(Review.application_id == Application.id)
    ).scalar_subquery()
    return mine, mean, count


def list_applications(
    cohort: Cohort, viewer: User, f: ApplicationFilters, total: int | None = None
) -> Page:
    """One page of rows, as plain columns (what the table shows): id, status,
    service_area, submitted_at, applicant, employer, my_score, mean_score, review_count
    and sign_off. `total`: the number of listed applications when no filter is on (the
    status counts give it).

    The mean is only computed once the cohort's scores are revealed; before then
    sorting by score uses the viewer's own score.
    """
    mine, mean, count = _score_columns(viewer)
    current_sign_off = and_(
        SignOff.application_id == Application.id,
        SignOff.application_version == Application.version,
    )
    mean_col = mean if cohort.scores_revealed else null()
    # Columns, not ORM objects: 25 applications with their applicant and employer cost
    # more to build as objects than the query took.
    stmt = (
        select(
            Application.id,
            Application.status,
            Application.service_area,
            Application.submitted_at,
            User.name.label("applicant"),
            Organisation.name.label("employer"),
            mine.label("my_score"),
            mean_col.label("mean_score"),
            count.label("review_count"),
            SignOff.decision.label("sign_off"),
        )
        .join(User, Application.applicant_id == User.id)
        .outerjoin(Organisation, Application.employer_id == Organisation.id)
        .outerjoin(SignOff, current_sign_off)
    )
    conditions = [Application.cohort_id == cohort.id, Application.status.in_(LISTED)]
    if f.status:
        conditions.append(Application.status == AppStatus(f.status))
    if f.employer:
        conditions.append(Application.employer_id == f.employer)
    if f.service_area:
        conditions.append(Application.service_area == ServiceArea(f.service_area))
    if f.sign_off == "none":
        conditions.append(SignOff.id.is_(None))
    elif f.sign_off:
        conditions.append(SignOff.decision == SignOffDecision(f.sign_off))
    stmt = stmt.where(*conditions)
    # Counting needs neither the people nor the scores: only the sign-off, when filtered by it.
    counted = select(func.count(Application.id)).select_from(Application)
    if f.sign_off:
        counted = counted.outerjoin(SignOff, current_sign_off)
    counted = counted.where(*conditions)

    key = {
        "submitted": Application.submitted_at,
        "name": func.lower(User.name),
        "employer": func.lower(Organisation.name),
        "score": mean if cohort.scores_revealed else mine,
    }[f.sort]
    ordered = key.desc() if f.dir == "desc" else key.asc()
    stmt = stmt.order_by(ordered.nulls_last(), Application.id)
    if f.active:
        total = None
    return paginate(
        stmt,
        f.page,
        current_app.config["PER_PAGE"],
        scalars=False,
        count_stmt=counted,
        total=total,
    )


def application_for_review(application_id: int) -> Application | None:
    """One application with everything its page names: the cohort, the people, the
    priority area, every sign-off with its PSW and the status history with who did each
    step, in a fixed number of queries however long the history. Roles of the people
    shown are not loaded (they load on first use)."""
    return db.session.scalar(
        select(Application)
        .options(
            joinedload(Application.cohort),
            joinedload(Application.employer),
            joinedload(Application.priority_area),
            *(
                joinedload(person).lazyload(User.role_links)
                for person in (Application.applicant, Application.line_manager, Application.psw)
            ),
            selectinload(Application.sign_offs).joinedload(SignOff.psw).lazyload(User.role_links),
            selectinload(Application.events)
            .joinedload(ApplicationEvent.actor)
            .lazyload(User.role_links),
        )
        .where(Application.id == application_id)
    )


def waiting_for_review(viewer: User) -> list[tuple[int, str, int, int]]:
    """[(cohort id, cohort name, applications waiting, of which the viewer has not
    scored)], oldest cohort first: one GROUP BY, joined to the cohorts it names."""
    mine = (
        select(Review.id)
        .where(Review.application_id == Application.id, Review.reviewer_id == viewer.id)
        .exists()
    )
    rows = db.session.execute(
        select(
            Cohort.id,
            Cohort.name,
            func.count(Application.id),
            func.sum(case((mine, 0), else_=1)),
        )
        .join(Cohort, Cohort.id == Application.cohort_id)
        .where(Application.status.in_(WAITING_FOR_REVIEW))
        .group_by(Cohort.id, Cohort.name, Cohort.programme_start)
        .order_by(Cohort.programme_start, Cohort.id)
    )
    return [(cid, name, n, int(unscored or 0)) for cid, name, n, unscored in rows]
