"""The home page (what each role is asked to do) and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from app.cohorts.services import current_offer
from app.core.access import public
from app.core.clock import today
from app.extensions import db
from app.home.activity import community_only
from app.home.dashboard import cards_for, role_intros

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("home.start"))
    return render_template(
        "home/index.html",
        cards=cards_for(current_user),
        intros=role_intros(current_user),
        community_only=community_only(current_user),
    )


@bp.route("/start")
@public
def start():
    return render_template("home/start.html", offer=current_offer(today()), today=today())


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
    """The privacy notice, generated from the personal-data map (issue 20)."""
    from app.privacy.notice import render_notice

    return render_notice()
