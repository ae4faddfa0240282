"""The data protection blueprint, in a module of its own so its view modules import it
and never each other."""

from __future__ import annotations

from flask import Blueprint

from app.core.navigation import register_nav

bp = Blueprint("privacy", __name__, url_prefix="/privacy")
register_nav(
    95,
    "Data protection",
    "privacy.index",
    secondary="Copies of a person's data, erasure on request and how long records are kept.",
)
