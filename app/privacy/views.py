"""Data protection pages: the public privacy notice; a person's own copy of their data;
and, for programme staff, a person's copy, the erasure preview and erasure, and the
retention settings with what the next purge would do."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core.access import get_or_404, public, roles, signed_in
from app.core.forms import ActionForm
from app.core.pagination import Page, parse_page
from app.core.params import clean_text
from app.core.roles import Role
from app.extensions import db
from app.privacy import access, erasure, policy, purge, retention, services
from app.privacy import notice as notice_map
from app.privacy.blueprint import bp
from app.privacy.declare import Retention
from app.privacy.forms import EraseForm, PeriodForm

PER_PAGE = 25


@bp.route("/notice")
@public
def notice():
    return notice_map.render_notice()


def _zip(person) -> Response:
    """Audit the request, commit, then stream the ZIP; its completion is audited when the
    last piece has gone."""
    actor = current_user._get_current_object()
    services.copy_requested(person, actor)
    db.session.commit()
    summary = access.Summary()

    def generate():
        yield from access.archive(person, summary)
        services.copy_completed(db.session.merge(person), db.session.merge(actor), summary)
        db.session.commit()

    response = Response(stream_with_context(generate()), mimetype="application/zip")
    name = f"personal-data-{person.id}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/your-data")
@signed_in
def my_data():
    return render_template("privacy/my_data.html", form=ActionForm())


@bp.route("/your-data/download", methods=["POST"])
@signed_in
def my_data_download():
    if not ActionForm().validate_on_submit():
        abort(400)
    return _zip(current_user._get_current_object())


@bp.route("/requests")
@roles(Role.STAFF)
def index():
    # The purge's counts read the largest tables (the audit trail): only when asked for,
    # so the daily page stays quick at national scale.
    outcomes = _dry_run() if request.args.get("counts") == "1" else None
    q = clean_text(request.args.get("q", ""))[:100]
    page = _search(q, parse_page(request.args.get("page"))) if q else None
    return render_template(
        "privacy/index.html",
        q=q,
        page=page,
        form=PeriodForm(days=retention.days(Retention.UNSUCCESSFUL)),
        outcomes=outcomes,
    )


def _search(q: str, number: int) -> Page:
    """One pass over the people: the page of matches carries the number of matches (a
    window count), so the substring match runs once not twice (on PostgreSQL a trigram
    index answers it; SQLite reads every person)."""
    like = f"%{q.lower()}%"
    name = User.name
    if db.session.get_bind().dialect.name == "postgresql":
        # the form its trigram index holds; SQLite's LIKE ignores case already, and its
        # lower() (ASCII only, as its LIKE) on 20,000 names was a third of the search
        name = func.lower(User.name)
    match = or_(name.like(like), User.email.like(like))
    rows = db.session.execute(
        select(User.id, User.name, User.email, func.count().over().label("total"))
        .where(match)
        .order_by(User.name, User.id)
        .limit(PER_PAGE)
        .offset((number - 1) * PER_PAGE)
    ).all()
    if rows:
        total = rows[0].total
    elif number == 1:
        total = 0
    else:  # past the last page: count for the pager
        total = db.session.scalar(select(func.count()).select_from(User).where(match)) or 0
    return Page(items=rows, page=number, per_page=PER_PAGE, total=total)


def _dry_run():
    # one SELECT, nothing written: no rollback (which on PostgreSQL would also drop the
    # connection's prepared statements), the request ends as any read does
    return purge.run(dry_run=True)


@bp.route("/settings", methods=["POST"])
@roles(Role.STAFF)
def settings():
    form = PeriodForm()
    if form.validate_on_submit():
        try:
            services.set_unsuccessful_days(form.days.data, current_user)
            db.session.commit()
        except IntegrityError:  # someone else saved the first period at the same moment
            db.session.rollback()
            form.add_error(
                "days", "Someone else changed the period just now: check it and save again"
            )
        else:
            flash(f"Unsuccessful applications are now kept {form.days.data} days.", "success")
            return redirect(url_for("privacy.index"))
    return (
        render_template(
            "privacy/index.html", q="", page=None, form=form, outcomes=None,
        ),
        400,
    )  # fmt: skip


def _person(user_id: int) -> User:
    return get_or_404(User, user_id, lambda u: policy.can_manage(current_user))


@bp.route("/people/<int:user_id>")
@roles(Role.STAFF)
def person(user_id: int):
    p = _person(user_id)
    return render_template(
        "privacy/person.html",
        person=p,
        erased=services.erasure_of(p),
        form=ActionForm(),
        may_erase=policy.can_erase(current_user, p),
    )


@bp.route("/people/<int:user_id>/download", methods=["POST"])
@roles(Role.STAFF)
def person_download(user_id: int):
    p = _person(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _zip(p)


@bp.route("/people/<int:user_id>/erase", methods=["GET", "POST"])
@roles(Role.STAFF)
def erase(user_id: int):
    p = _person(user_id)
    if services.erasure_of(p) is not None or not policy.can_erase(current_user, p):
        abort(404)
    form = EraseForm(p.email)
    if form.validate_on_submit():
        try:
            _plan, findings = erasure.erase(p, current_user._get_current_object())
            db.session.commit()
        except erasure.ErasureError as exc:
            db.session.rollback()
            form.add_error("confirm", str(exc))
        else:
            return render_template("privacy/erased.html", person=p, plan=_plan, findings=findings)
    status = 400 if request.method == "POST" else 200
    plan = erasure.preview(p.id)
    return render_template(
        "privacy/erase.html",
        person=p,
        plan=plan,
        form=form,
        years=retention.finance_years(),
    ), status
