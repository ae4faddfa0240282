"""Organisation rules."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.core import audit
from app.extensions import db
from app.organisations.models import Nation, Organisation, OrgKind

FIELDS = ("name", "kind", "adults_services", "childrens_services", "nation")


class OrganisationError(Exception):
    pass


def _check_name(name: str, exclude_id: int | None = None) -> str:
    name = " ".join(name.split())
    stmt = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(Organisation.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise OrganisationError("An organisation with this name already exists")
    return name


def _apply(org: Organisation, data: dict) -> None:
    org.name = data["name"]
    org.kind = OrgKind(data["kind"])
    org.nation = Nation(data["nation"])
    is_la = org.kind == OrgKind.LOCAL_AUTHORITY
    org.adults_services = bool(data.get("adults_services")) and is_la
    org.childrens_services = bool(data.get("childrens_services")) and is_la


def _snapshot(org: Organisation) -> dict:
    return {f: getattr(org, f) for f in FIELDS}


def create_organisation(actor: User, data: dict) -> Organisation:
    data = {**data, "name": _check_name(data["name"])}
    org = Organisation()
    _apply(org, data)
    db.session.add(org)
    db.session.flush()
    audit.record(
        "organisation.created",
        org,
        actor=actor,
        summary=f"Added {org.name}",
        changes=audit.diff({}, _snapshot(org)),
    )
    return org


def update_organisation(actor: User, org: Organisation, data: dict) -> None:
    data = {**data, "name": _check_name(data["name"], exclude_id=org.id)}
    before = _snapshot(org)
    _apply(org, data)
    changes = audit.diff(before, _snapshot(org))
    if changes:
        audit.record(
            "organisation.updated", org, actor=actor, changes=changes, summary=f"Updated {org.name}"
        )


def set_active(actor: User, org: Organisation, active: bool) -> None:
    if org.is_active == active:
        raise OrganisationError(f"{org.name} is already {'active' if active else 'archived'}")
    org.is_active = active
    audit.record(
        "organisation.archived" if not active else "organisation.restored",
        org,
        actor=actor,
        changes={"is_active": [not active, active]},
    )
