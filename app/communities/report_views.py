"""The staff report on communities, on a page and as CSV; involvement payments as Excel."""

from __future__ import annotations

import csv
import io

from flask import Response, render_template

from app.communities import report
from app.communities.blueprint import bp
from app.communities.forms import PaymentForm
from app.communities.models import Background
from app.core.access import roles
from app.core.csv import safe_cell
from app.core.forms import ActionForm
from app.core.roles import Role
from app.money import budget


@bp.route("/report")
@roles(Role.STAFF)
def report_page():
    return render_template(
        "communities/report.html",
        r=report.build(),
        backgrounds=list(Background),
        payment_form=PaymentForm(),
        action_form=ActionForm(),
    )


@bp.route("/report.csv")
@roles(Role.STAFF)
def report_csv():
    out = io.StringIO()
    writer = csv.writer(out)
    for row in report.csv_rows(report.build()):
        writer.writerow([safe_cell(v) for v in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="communities-report.csv"'},
    )


@bp.route("/payments.xlsx")
@roles(Role.STAFF)
def payments_xlsx():
    """Involvement payments as an Excel sheet for reconciling (the money area's export)."""
    rows = report.payment_rows(report.build())
    return Response(
        budget.sheet_bytes("Involvement payments", report.PAYMENT_HEADERS, rows, amount_column=7),
        mimetype=budget.XLSX,
        headers={"Content-Disposition": 'attachment; filename="involvement-payments.xlsx"'},
    )
