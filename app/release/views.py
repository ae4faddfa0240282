"""The release ledger pages: the award holder's ledger, the manager's approvals, the
at-risk view, calendars and the CSV export."""

from __future__ import annotations

from flask import Blueprint, abort

from app.core.access import roles, signed_in
from app.core.roles import Role

bp = Blueprint("release", __name__, url_prefix="/release")


@bp.route("/awards/<int:award_id>")
@signed_in
def ledger(award_id: int):
    """PLACEHOLDER: replaced by the ledger feature."""
    abort(404)


@bp.route("/approvals")
@roles(Role.LINE_MANAGER)
def approvals():
    """PLACEHOLDER: replaced by the ledger feature."""
    abort(404)


# Staff/PSW at-risk view, calendars and exports live beside this module (same blueprint).
from app.release import oversight_views  # noqa: E402,F401
