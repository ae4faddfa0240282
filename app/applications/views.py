"""The application form: drafts in sections, check your answers, submit, withdraw."""

from __future__ import annotations

from flask import Blueprint, abort

from app.core.access import roles
from app.core.roles import Role

bp = Blueprint("applications", __name__, url_prefix="/applications")


@bp.route("/<int:application_id>")
@roles(Role.APPLICANT, Role.AWARD_HOLDER)
def overview(application_id: int):
    """PLACEHOLDER: replaced by the application feature."""
    abort(404)


from app.applications import signoff_views  # noqa: E402,F401  (PSW routes on this blueprint)
