"""Principal Social Worker sign-off of applications (routes on the applications blueprint)."""

from __future__ import annotations

from flask import abort

from app.applications.views import bp
from app.core.access import roles
from app.core.roles import Role


@bp.route("/<int:application_id>/sign-off", methods=["GET", "POST"])
@roles(Role.PSW)
def sign_off(application_id: int):
    """PLACEHOLDER: replaced by the sign-off feature."""
    abort(404)
