"""The programme budget for programme staff: each cohort's personal awards in figures,
with every transaction as CSV and as an Excel workbook."""

from __future__ import annotations

import re

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.cohorts.models import Cohort
from app.core.access import get_or_404, roles
from app.core.pagination import parse_page
from app.core.roles import Role
from app.extensions import db
from app.money import budget, services
from app.money.blueprint import bp
from app.money.forms import SecondApprovalForm
from app.money.services import MoneyError

XLSX = budget.XLSX


def _slug(cohort: Cohort) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", cohort.name).strip("-") or str(cohort.id)


@bp.route("/budget")
@roles(Role.STAFF)
def budget_index():
    cohorts = list(db.session.scalars(select(Cohort).order_by(Cohort.programme_start.desc())))
    return render_template("money/budget_index.html", cohorts=cohorts)


@bp.route("/budget/<int:cohort_id>")
@roles(Role.STAFF)
def budget_cohort(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    found = budget.for_cohort(
        c.id, parse_page(request.args.get("page")), current_app.config["PER_PAGE"]
    )
    return render_template("money/budget.html", cohort=c, budget=found)


@bp.route("/budget/<int:cohort_id>.csv")
@roles(Role.STAFF)
def budget_csv(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    return Response(
        budget.csv_text(c.id),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="personal-awards-{_slug(c)}.csv"'},
    )


@bp.route("/budget/<int:cohort_id>.xlsx")
@roles(Role.STAFF)
def budget_xlsx(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    return Response(
        budget.workbook(c.name, c.id),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="personal-awards-{_slug(c)}.xlsx"'},
    )


@bp.route("/budget/<int:cohort_id>/second-approver", methods=["GET", "POST"])
@roles(Role.STAFF)
def second_approver(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    above = c.second_approval_above_pence
    form = SecondApprovalForm(data={"needed": "no" if above is None else "yes", "above": above})
    if form.validate_on_submit():
        try:
            changed = services.set_second_approval(
                c, current_user._get_current_object(), form.threshold()
            )
            db.session.commit()
        except MoneyError as exc:
            db.session.rollback()
            form.add_error(exc.field or "above", str(exc))
        else:
            flash("Approval rule saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("money.budget_cohort", cohort_id=c.id))
    return render_template("money/second_approver.html", form=form, cohort=c)
