"""The communities blueprint, in a module of its own so its view modules import it and
never each other."""

from __future__ import annotations

from flask import Blueprint

from app.communities.text import linkify
from app.core.navigation import register_nav

bp = Blueprint("communities", __name__, url_prefix="/communities")
bp.add_app_template_filter(linkify, "linkify")
register_nav(
    56,
    "Communities",
    "communities.index",
    secondary="Communities of practice: meet, share and set research priorities with "
    "practitioners, researchers, carers and people who draw on care.",
)
