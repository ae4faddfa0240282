"""Selection: programme staff review, score, shortlist and decide; the applicant profile report."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("selection", __name__, url_prefix="/selection")
