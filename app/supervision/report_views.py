"""The supervision and coaching contact report for programme staff: per cohort, paged
and filtered, with the whole (filtered) list as CSV."""

from __future__ import annotations

import re

from flask import Response, abort, current_app, render_template, request, stream_with_context

from app.cohorts.models import Cohort
from app.core.access import get_or_404, roles
from app.core.clock import today
from app.core.pagination import paginate, parse_page
from app.core.params import arg_choice
from app.core.roles import Role
from app.supervision import queries, report
from app.supervision.blueprint import bp

SHOW = [("", "Everyone"), ("flagged", "Only those with no supervision contact for six weeks")]


def _stmt(c: Cohort, shown: str):
    stmt = queries.award_stmt(c)
    if shown == "flagged":
        stmt = stmt.where(report.flagged_sql(c, today()))
    return stmt


@bp.route("/cohorts/<int:cohort_id>/contact")
@roles(Role.STAFF)
def contact_report(cohort_id: int):
    found = report.cohort_and_totals(cohort_id, today())
    if found is None:
        abort(404)
    c, total, flagged = found
    shown = arg_choice("show", [k for k, _ in SHOW], "")
    page = paginate(
        _stmt(c, shown),
        parse_page(request.args.get("page")),
        current_app.config["PER_PAGE"],
        total=flagged if shown == "flagged" else total,
    )
    return render_template(
        "supervision/contact_report.html",
        cohort=c,
        page=page,
        rows=report.rows(c, page.items, today()),
        flagged=flagged,
        show=SHOW,
        shown=shown,
        quiet_weeks=report.QUIET_DAYS // 7,
    )


@bp.route("/cohorts/<int:cohort_id>/contact.csv")
@roles(Role.STAFF)
def contact_csv(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    shown = arg_choice("show", [k for k, _ in SHOW], "")
    slug = re.sub(r"[^A-Za-z0-9-]+", "-", c.name).strip("-") or str(c.id)
    # Streamed a batch of award holders at a time, like the other CSV exports: the whole
    # cohort is never held in memory as one string.
    return Response(
        stream_with_context(report.csv_lines(c, _stmt(c, shown), today())),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="supervision-contact-{slug}.csv"',
            "Cache-Control": "no-store",
        },
    )
