"""The home page (what each role is asked to do) and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from app.core.access import public
from app.core.clock import today
from app.extensions import db
from app.home.dashboard import cards_for

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("home.start"))
    return render_template("home/index.html", cards=cards_for(current_user))


@bp.route("/start")
@public
def start():
    """The front door: what the programme offers, read from the next cohort to apply to
    (the programme's defaults when none is open), and where to apply."""
    from app.cohorts import models as cohort_models
    from app.cohorts.services import open_cohorts

    cohort = next(iter(open_cohorts(today())), None)
    offer = {
        "residential_days": cohort.residential_days
        if cohort
        else cohort_models.DEFAULT_RESIDENTIAL_DAYS,
        "study_days": cohort.study_days if cohort else cohort_models.DEFAULT_STUDY_DAYS,
        "award_cap_pence": cohort.personal_award_cap_pence
        if cohort
        else cohort_models.DEFAULT_AWARD_CAP_PENCE,
    }
    return render_template("home/start.html", cohort=cohort, offer=offer, today=today())


@bp.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("home/accessibility.html")


@bp.route("/privacy")
@public
def privacy():
    return render_template("home/privacy.html")
