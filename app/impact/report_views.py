"""The impact report for programme staff (every authority) and a PSW (their own
authorities): a page with a chart and its numbers as a table, and the same as CSV."""

from __future__ import annotations

from flask import Response, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app.cohorts.models import Cohort
from app.core.access import roles
from app.core.params import arg_int
from app.core.roles import Role
from app.extensions import db
from app.impact import policy, report
from app.impact.blueprint import bp

REPORTERS = (Role.STAFF, Role.PSW)


def _build():
    cohort_id = arg_int("cohort")
    cohorts = list(db.session.scalars(select(Cohort).order_by(Cohort.programme_start, Cohort.id)))
    if cohort_id is not None and cohort_id not in {c.id for c in cohorts}:
        cohort_id = None
    data = report.build(policy.report_scope(current_user), cohort_id, cohorts)
    return data, cohorts, cohort_id


@bp.route("/report")
@roles(*REPORTERS)
def report_page():
    data, cohorts, cohort_id = _build()
    return render_template(
        "impact/report.html",
        report=data,
        cohorts=cohorts,
        cohort_id=cohort_id,
        staff=current_user.has_role(Role.STAFF),
        csv_url=url_for("impact.report_csv", cohort=cohort_id),
    )


@bp.route("/report.csv")
@roles(*REPORTERS)
def report_csv():
    data, _cohorts, _cohort_id = _build()
    return Response(
        "".join(report.csv_text(data)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="impact-report.csv"'},
    )
