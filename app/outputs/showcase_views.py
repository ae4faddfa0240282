"""The showcase pages: browse and search accepted, consented outputs; read one entry
and download its file; a cohort's published showcase page."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.applications.models import ServiceArea
from app.cohorts.models import Cohort
from app.core import storage
from app.core.access import get_or_404, signed_in
from app.core.pagination import parse_page
from app.core.params import arg_choice, arg_int, arg_str
from app.core.roles import Role
from app.extensions import db
from app.outputs import policy, services, showcase
from app.outputs.blueprint import bp
from app.outputs.models import ShowcasePage


def _participant():
    me = current_user._get_current_object()
    if not policy.participates(me):
        abort(404)
    return me


def _filters() -> showcase.Filters:
    return showcase.Filters(
        q=arg_str("q", 100),
        service_area=arg_choice("service_area", [s.value for s in ServiceArea]),
        cohort=arg_int("cohort"),
        employer=arg_int("employer"),
    )


@bp.route("/showcase")
@signed_in
def showcase_index():
    _participant()
    filters = _filters()
    counted = showcase.buckets(filters)
    # unfiltered, the entries counted per cohort name the cohorts of the filter list
    cohorts, employers = showcase.filter_options(None if filters.active() else counted)
    page = showcase.page_of(
        filters,
        parse_page(request.args.get("page")),
        int(current_app.config.get("PER_PAGE", 25)),
        counted,
        dict(employers),
    )
    return render_template(
        "outputs/showcase.html",
        page=page,
        filters=filters,
        cohorts=cohorts,
        employers=employers,
        service_areas=list(ServiceArea),
    )


@bp.route("/showcase/<int:output_id>")
@signed_in
def showcase_entry(output_id: int):
    _participant()
    row = showcase.entry(output_id)
    if row is None:
        abort(404)
    output = row[0]
    return render_template(
        "outputs/showcase_entry.html",
        row=row,
        output=output,
        version=services.current_version(output),
    )


@bp.route("/showcase/<int:output_id>/file")
@signed_in
def showcase_file(output_id: int):
    _participant()
    row = showcase.entry(output_id)
    if row is None:
        abort(404)
    version = services.current_version(row[0])
    if version is None:
        abort(404)
    return storage.download(version.file, version.filename)


@bp.route("/showcase/cohorts/<int:cohort_id>")
@signed_in
def showcase_cohort(cohort_id: int):
    me = _participant()
    c = get_or_404(Cohort, cohort_id)
    page_row = db.session.scalar(select(ShowcasePage).where(ShowcasePage.cohort_id == c.id))
    published = page_row is not None and page_row.published_at is not None
    if not published and not me.has_role(Role.STAFF):
        abort(404)
    page = showcase.page_of(
        showcase.Filters(cohort=c.id),
        parse_page(request.args.get("page")),
        int(current_app.config.get("PER_PAGE", 25)),
    )
    return render_template(
        "outputs/showcase_cohort.html",
        cohort=c,
        showcase_page=page_row,
        published=published,
        page=page,
    )
