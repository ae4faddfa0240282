"""Programme staff manage employers and universities."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.access import get_or_404, roles
from app.core.forms import ActionForm
from app.core.pagination import paginate, parse_page
from app.core.params import arg_choice, arg_str
from app.core.roles import Role
from app.extensions import db
from app.organisations import services
from app.organisations.forms import OrganisationForm
from app.organisations.models import Membership, Organisation, OrgKind

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.route("/")
@roles(Role.STAFF)
def org_list():
    kind = arg_choice("kind", [k.value for k in OrgKind])
    q = arg_str("q", 100)
    member_count = (
        select(func.count(Membership.id))
        .where(Membership.organisation_id == Organisation.id)
        .correlate(Organisation)
        .scalar_subquery()
    )
    stmt = select(Organisation, member_count.label("members")).order_by(Organisation.name)
    if kind:
        stmt = stmt.where(Organisation.kind == OrgKind(kind))
    if q:
        stmt = stmt.where(Organisation.name.ilike(f"%{q}%"))
    page = paginate(
        stmt, parse_page(request.args.get("page")), current_app.config["PER_PAGE"], scalars=False
    )
    return render_template(
        "organisations/list.html", page=page, kind=kind, q=q, kinds=list(OrgKind)
    )


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.STAFF)
def create():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = services.create_organisation(current_user._get_current_object(), form.data)
        except services.OrganisationError as exc:
            form.name.errors = [str(exc)]
        else:
            db.session.commit()
            flash(f"{org.name} has been added.", "success")
            return redirect(url_for("organisations.detail", org_id=org.id))
    return render_template("organisations/form.html", form=form, org=None)


@bp.route("/<int:org_id>")
@roles(Role.STAFF)
def detail(org_id: int):
    org = get_or_404(Organisation, org_id)
    members = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id)
        .order_by(User.name)
        .limit(200)
    ).all()
    return render_template(
        "organisations/detail.html", org=org, members=members, action_form=ActionForm()
    )


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@roles(Role.STAFF)
def edit(org_id: int):
    org = get_or_404(Organisation, org_id)
    form = OrganisationForm(obj=org)
    if request.method == "GET":
        form.kind.data = org.kind.value
        form.nation.data = org.nation.value
    if form.validate_on_submit():
        try:
            services.update_organisation(current_user._get_current_object(), org, form.data)
        except services.OrganisationError as exc:
            form.name.errors = [str(exc)]
        else:
            db.session.commit()
            flash(f"{org.name} has been updated.", "success")
            return redirect(url_for("organisations.detail", org_id=org.id))
    return render_template("organisations/form.html", form=form, org=org)


@bp.route("/<int:org_id>/archive", methods=["POST"])
@roles(Role.STAFF)
def archive(org_id: int):
    org = get_or_404(Organisation, org_id)
    if ActionForm().validate_on_submit():
        active = request.form.get("restore") == "1"
        try:
            services.set_active(current_user._get_current_object(), org, active)
        except services.OrganisationError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"{org.name} has been {'restored' if active else 'archived'}.", "success")
    return redirect(url_for("organisations.detail", org_id=org.id))
