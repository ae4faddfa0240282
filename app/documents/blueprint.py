"""The documents blueprint, in a module of its own so its view modules import it and never
each other."""

from __future__ import annotations

from flask import Blueprint

from app.core.navigation import register_nav

bp = Blueprint("documents", __name__, url_prefix="/documents")
register_nav(
    55,
    "Documents",
    "documents.index",
    secondary="Handbooks, learning agreements and certificates of completion.",
)

READERS = (
    "staff",
    "award_holder",
    "line_manager",
    "assistant_director",
    "psw",
    "supervisor",
    "coach",
)
