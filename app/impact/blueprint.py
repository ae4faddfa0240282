"""The impact blueprint, in a module of its own so its view modules import it and never
each other."""

from __future__ import annotations

from flask import Blueprint

from app.core.navigation import register_nav

bp = Blueprint("impact", __name__, url_prefix="/impact")
register_nav(
    52,
    "Impact",
    "impact.index",
    secondary="What the research changed after the programme, and the impact reports.",
)
