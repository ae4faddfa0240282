"""Cohort rules: dates in order, unique names, recruitment events, priority areas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from app.accounts.models import User
from app.cohorts.models import (
    DEFAULT_AWARD_CAP_PENCE,
    DEFAULT_RESIDENTIAL_DAYS,
    DEFAULT_STUDY_DAYS,
    Cohort,
    EventKind,
    PriorityArea,
    RecruitmentEvent,
)
from app.core import audit
from app.core.formatting import format_date
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Organisation

COHORT_FIELDS = (
    "name",
    "description",
    "programme_start",
    "programme_end",
    "applications_open",
    "applications_close",
    "places",
    "personal_award_cap_pence",
    "residential_days",
    "study_days",
    "backfill_pence",
)


class CohortError(Exception):
    """A rule refused the change; `field` names the form field to show it against."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _validate(data: dict, exclude_id: int | None = None) -> dict:
    data = {k: data[k] for k in COHORT_FIELDS if k in data}
    data["name"] = " ".join(str(data.get("name", "")).split())
    stmt = select(Cohort.id).where(func.lower(Cohort.name) == data["name"].lower())
    if exclude_id is not None:
        stmt = stmt.where(Cohort.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise CohortError("A cohort with this name already exists", "name")
    if data["programme_start"] >= data["programme_end"]:
        raise CohortError("The programme must end after it starts", "programme_end")
    if data["applications_open"] > data["applications_close"]:
        raise CohortError(
            "Applications must close on or after the day they open", "applications_close"
        )
    if data["applications_close"] >= data["programme_start"]:
        raise CohortError(
            "Applications must close before the programme starts", "applications_close"
        )
    return data


def _snapshot(c: Cohort) -> dict:
    return {f: getattr(c, f) for f in COHORT_FIELDS}


def create_cohort(actor: User, data: dict) -> Cohort:
    cohort = Cohort(**_validate(data))
    db.session.add(cohort)
    db.session.flush()
    audit.record(
        "cohort.created",
        cohort,
        actor=actor,
        summary=f"Created cohort {cohort.name}",
        changes=audit.diff({}, _snapshot(cohort)),
    )
    return cohort


def update_cohort(actor: User, cohort: Cohort, data: dict) -> None:
    clean = _validate(data, exclude_id=cohort.id)
    before = _snapshot(cohort)
    for key, value in clean.items():
        setattr(cohort, key, value)
    changes = audit.diff(before, _snapshot(cohort))
    if changes:
        audit.record(
            "cohort.updated",
            cohort,
            actor=actor,
            changes=changes,
            summary=f"Updated cohort {cohort.name}",
        )


def add_event(
    actor: User,
    cohort: Cohort,
    kind: EventKind,
    starts_at: datetime,
    ends_at: datetime,
    joining_details: str,
) -> RecruitmentEvent:
    if ends_at <= starts_at:
        raise CohortError("The event must end after it starts", "end_time")
    event = RecruitmentEvent(
        cohort=cohort,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        joining_details=joining_details.strip(),
    )
    db.session.add(event)
    db.session.flush()
    audit.record(
        "cohort.event_added",
        event,
        actor=actor,
        summary=f"{kind.label} for {cohort.name}",
        changes=audit.diff({}, {"starts_at": starts_at, "kind": kind}),
    )
    return event


def remove_event(actor: User, event: RecruitmentEvent) -> None:
    audit.record(
        "cohort.event_removed",
        event,
        actor=actor,
        changes=audit.diff({"starts_at": event.starts_at, "kind": event.kind}, {}),
    )
    db.session.delete(event)


def psw_organisations(user: User) -> list[Organisation]:
    """The employers whose PSW this user is."""
    if not user.has_role(Role.PSW):
        return []
    return [o for o in user.organisations if o.is_employer]


def publishing_closed(cohort: Cohort, today: date) -> bool:
    """Priority areas guide applicants, so they can be published until applications close."""
    return today > cohort.applications_close


def publish_priority_area(
    psw: User,
    cohort: Cohort,
    org: Organisation,
    title: str,
    description: str | None,
    today: date,
) -> PriorityArea:
    """Publish an area, or bring back one the authority withdrew under the same title."""
    if org.id not in {o.id for o in psw_organisations(psw)}:
        raise CohortError(
            "You can only publish priority areas for your own authority", "organisation"
        )
    if publishing_closed(cohort, today):
        raise CohortError(
            f"Applications to {cohort.name} closed on {format_date(cohort.applications_close)}, "
            "so priority areas can no longer be published for it"
        )
    title = " ".join(title.split())
    description = (description or "").strip()
    existing = db.session.scalar(
        select(PriorityArea).where(
            PriorityArea.cohort_id == cohort.id,
            PriorityArea.organisation_id == org.id,
            func.lower(PriorityArea.title) == title.lower(),
        )
    )
    if existing is not None and not existing.is_withdrawn:
        raise CohortError("Your authority has already published this priority area", "title")
    if existing is not None:
        before = {"is_withdrawn": True, "description": existing.description}
        existing.is_withdrawn = False
        existing.description = description
        existing.published_by = psw
        audit.record(
            "priority_area.republished",
            existing,
            actor=psw,
            changes=audit.diff(before, {"is_withdrawn": False, "description": description}),
            summary=f"{org.name}: {existing.title}",
        )
        return existing
    area = PriorityArea(
        cohort=cohort,
        organisation=org,
        title=title,
        description=description,
        published_by=psw,
    )
    db.session.add(area)
    db.session.flush()
    audit.record("priority_area.published", area, actor=psw, summary=f"{org.name}: {title}")
    return area


def withdraw_priority_area(psw: User, area: PriorityArea) -> None:
    if area.organisation_id not in {o.id for o in psw_organisations(psw)}:
        raise CohortError("You can only change your own authority's priority areas")
    if area.is_withdrawn:
        raise CohortError("This priority area has already been withdrawn")
    area.is_withdrawn = True
    audit.record(
        "priority_area.withdrawn", area, actor=psw, changes={"is_withdrawn": [False, True]}
    )


@dataclass(frozen=True)
class Offer:
    """What an award holder gets: from the next cohort to apply to, or the defaults."""

    cohort: Cohort | None
    residential_days: int
    study_days: int
    award_cap_pence: int


def current_offer(today: date) -> Offer:
    cohort = next(iter(open_cohorts(today)), None)
    if cohort is None:
        return Offer(None, DEFAULT_RESIDENTIAL_DAYS, DEFAULT_STUDY_DAYS, DEFAULT_AWARD_CAP_PENCE)
    return Offer(
        cohort, cohort.residential_days, cohort.study_days, cohort.personal_award_cap_pence
    )


def open_cohorts(today) -> list[Cohort]:
    """Cohorts taking applications now or soon (for applicants)."""
    return list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.applications_close >= today)
            .order_by(Cohort.applications_open)
        )
    )


def priority_areas_for(cohort_id: int, org_id: int | None) -> list[PriorityArea]:
    if org_id is None:
        return []
    return list(
        db.session.scalars(
            select(PriorityArea)
            .where(
                PriorityArea.cohort_id == cohort_id,
                PriorityArea.organisation_id == org_id,
                PriorityArea.is_withdrawn.is_(False),
            )
            .order_by(PriorityArea.title)
        )
    )
