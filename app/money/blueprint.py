"""The money blueprint, in a module of its own so its view modules import it and never
each other."""

from __future__ import annotations

from flask import Blueprint

from app.core.navigation import register_nav

bp = Blueprint("money", __name__, url_prefix="/money")
register_nav(45, "Personal award", "money.mine")
register_nav(46, "Spending", "money.queue")
register_nav(
    47,
    "Budget",
    "money.budget_index",
    secondary="Each cohort's programme budget: personal awards and backfill, as CSV and Excel.",
)
