"""The evaluation blueprint, in a module of its own so its view modules import it."""

from __future__ import annotations

from flask import Blueprint

from app.core.navigation import register_nav

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")
register_nav(
    54, "Evaluation", "evaluation.surveys", secondary="Survey each cohort and compare the results."
)
register_nav(
    55, "Surveys", "evaluation.mine", secondary="Surveys about the programme for you to answer."
)
