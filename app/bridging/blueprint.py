"""The bridging blueprint, in a module of its own so its view modules import it."""

from __future__ import annotations

from flask import Blueprint

from app.core.navigation import register_nav

bp = Blueprint("bridging", __name__, url_prefix="/bridging")
register_nav(
    53,
    "Next steps",
    "bridging.index",
    secondary="Next steps after the programme: fellowships, doctorates and research roles.",
)
