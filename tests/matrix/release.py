"""Access matrix: the release ledger."""

from __future__ import annotations

from app.core.roles import Role
from tests.matrix import ALL, Page

MANAGERS = frozenset({Role.LINE_MANAGER})

PAGES = {
    # someone else's ledger: 404 (the record-level rules decide who may see it)
    "release.ledger": Page("/release/awards/{award_id}", ALL, not_found_for=ALL),
    "release.approvals": Page("/release/approvals", MANAGERS, not_found_for=MANAGERS),
}


def records(make, app) -> dict:
    award = make.award(cohort=make.running_cohort())
    return {"award_id": award.id}
