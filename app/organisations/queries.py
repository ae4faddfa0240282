"""Read-side helpers for organisations."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.extensions import db
from app.organisations.models import Organisation


def organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.is_active.is_(True))
        .order_by(Organisation.name)
    )
    return [(r.id, r.name) for r in rows]


def organisations_by_ids(ids: Iterable[int]) -> list[Organisation]:
    ids = list(ids or [])
    if not ids:
        return []
    return list(db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))))
