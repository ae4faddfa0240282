"""Programme staff's registers and lists: attendance rates for a cohort, the dietary and
access list for the venue and a sign-in sheet per workshop, each as a print-friendly page
(residentials-print.css drops the header, menu and buttons on paper) and as CSV."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.cohorts.models import Cohort
from app.core.access import get_or_404, roles
from app.core.clock import today
from app.core.roles import Role
from app.extensions import db
from app.residentials import lists
from app.residentials.blueprint import bp
from app.residentials.models import Workshop


def _workshops(cohort_id: int) -> list[Workshop]:
    return list(
        db.session.scalars(
            select(Workshop).where(Workshop.cohort_id == cohort_id).order_by(Workshop.starts_on)
        )
    )


def _workshop(workshop_id: int) -> Workshop:
    return get_or_404(Workshop, workshop_id, options=[joinedload(Workshop.cohort)])


@bp.route("/cohorts/<int:cohort_id>/attendance")
@roles(Role.STAFF)
def attendance_rates(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    workshops = _workshops(c.id)
    return render_template(
        "residentials/attendance_rates.html",
        cohort=c,
        workshops=workshops,
        rates=lists.attendance_rates(c.id, workshops, today()),
    )


@bp.route("/cohorts/<int:cohort_id>/attendance.csv")
@roles(Role.STAFF)
def attendance_rates_csv(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    rates = lists.attendance_rates(c.id, _workshops(c.id), today())
    return lists.csv_response(
        f"attendance-rates-{c.name}.csv", lists.RATES_CSV_HEADER, lists.rates_csv_rows(rates)
    )


@bp.route("/workshops/<int:workshop_id>/needs")
@roles(Role.STAFF)
def needs(workshop_id: int):
    w = _workshop(workshop_id)
    return render_template(
        "residentials/needs.html",
        workshop=w,
        registrations=lists.needs_list(w),
        cleared_on=lists.needs_cleared_on(w),
        today=today(),
    )


@bp.route("/workshops/<int:workshop_id>/needs.csv")
@roles(Role.STAFF)
def needs_csv(workshop_id: int):
    w = _workshop(workshop_id)
    return lists.csv_response(
        f"needs-{w.cohort.name}-workshop-{w.number}.csv",
        lists.NEEDS_CSV_HEADER,
        lists.needs_csv_rows(lists.needs_list(w)),
    )


@bp.route("/workshops/<int:workshop_id>/sign-in-sheet")
@roles(Role.STAFF)
def sign_in_sheet(workshop_id: int):
    w = _workshop(workshop_id)
    return render_template(
        "residentials/sign_in_sheet.html", workshop=w, awards=lists.sign_in_sheet(w)
    )


@bp.route("/workshops/<int:workshop_id>/sign-in-sheet.csv")
@roles(Role.STAFF)
def sign_in_sheet_csv(workshop_id: int):
    w = _workshop(workshop_id)
    return lists.csv_response(
        f"sign-in-{w.cohort.name}-workshop-{w.number}.csv",
        lists.sign_in_csv_header(w),
        lists.sign_in_csv_rows(w, lists.sign_in_sheet(w)),
    )
