"""Handbook pages: staff write each cohort's sections; the people around its award holders
download the PDF (made once per content, and while it is being made they are told so);
line managers and PSWs acknowledge the managers' handbook."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core import storage
from app.core.access import get_or_404, roles
from app.core.forms import ActionForm
from app.core.mail import deliver_pending
from app.core.pagination import Page, parse_page
from app.core.roles import Role
from app.documents import policy, services
from app.documents.blueprint import READERS, bp
from app.documents.cache import pdf_for
from app.documents.forms import SectionForm
from app.documents.models import HandbookKind, HandbookReceipt, HandbookSection, LearningAgreement
from app.documents.render import RenderError
from app.documents.services import DocumentError
from app.extensions import db

KIND = "<any(holder,managers):kind>"
ALL_READERS = tuple(Role(r) for r in READERS)


def _me():
    return current_user._get_current_object()


def _readable_cohort(cohort_id: int) -> Cohort:
    me = _me()
    return get_or_404(Cohort, cohort_id, lambda c: policy.can_read_handbooks(me, c))


@bp.route("/")
@roles(*ALL_READERS)
def index():
    me = _me()
    ids = policy.readable_cohort_ids(me)  # one query, not one per cohort
    stmt = select(Cohort).order_by(Cohort.programme_start.desc())
    readable = list(db.session.scalars(stmt if ids is None else stmt.where(Cohort.id.in_(ids))))
    agreements = []
    candidates = [] if me.has_role(Role.STAFF) else policy.agreement_candidates(me)
    if candidates and readable:
        agreements = [
            a
            for a in db.session.scalars(
                select(LearningAgreement)
                .join(Award, Award.id == LearningAgreement.award_id)
                .where(Award.cohort_id.in_([c.id for c in readable]), or_(*candidates))
                .options(
                    contains_eager(LearningAgreement.award)
                    .joinedload(Award.holder)
                    .load_only(User.name)
                    .lazyload(User.role_links)
                )
                .order_by(LearningAgreement.id)
            )
            if policy.can_view_agreement(me, a.award)
        ]
    return render_template(
        "documents/index.html", cohorts=readable, agreements=agreements, kinds=list(HandbookKind)
    )


@bp.route("/cohorts/<int:cohort_id>")
@roles(Role.STAFF)
def cohort(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    return render_template(
        "documents/cohort.html",
        cohort=c,
        kinds=list(HandbookKind),
        sections={k: services.sections(c.id, k) for k in HandbookKind},
        form=ActionForm(),
    )


@bp.route(f"/cohorts/<int:cohort_id>/handbooks/{KIND}/sections/new", methods=["GET", "POST"])
@roles(Role.STAFF)
def section_new(cohort_id: int, kind: str):
    c = get_or_404(Cohort, cohort_id)
    form = SectionForm()
    if form.validate_on_submit():
        try:
            services.add_section(c, HandbookKind(kind), _me(), form.heading.data, form.body.data)
            db.session.commit()
        except DocumentError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash(f"Section ‘{form.heading.data}’ added.", "success")
            return redirect(url_for("documents.cohort", cohort_id=c.id))
    return render_template(
        "documents/section_form.html", cohort=c, kind=HandbookKind(kind), form=form, section=None
    )


@bp.route("/sections/<int:section_id>/edit", methods=["GET", "POST"])
@roles(Role.STAFF)
def section_edit(section_id: int):
    section = get_or_404(HandbookSection, section_id, options=[joinedload(HandbookSection.cohort)])
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        services.edit_section(section, _me(), form.heading.data, form.body.data)
        db.session.commit()
        flash(f"Section ‘{section.heading}’ saved.", "success")
        return redirect(url_for("documents.cohort", cohort_id=section.cohort_id))
    return render_template(
        "documents/section_form.html",
        cohort=section.cohort,
        kind=section.kind,
        form=form,
        section=section,
    )


@bp.route("/sections/<int:section_id>/remove", methods=["POST"])
@roles(Role.STAFF)
def section_remove(section_id: int):
    section = get_or_404(HandbookSection, section_id, options=[joinedload(HandbookSection.cohort)])
    if ActionForm().validate_on_submit():
        cohort_id, heading = section.cohort_id, section.heading
        services.remove_section(section, _me())
        db.session.commit()
        flash(f"Section ‘{heading}’ removed.", "success")
        return redirect(url_for("documents.cohort", cohort_id=cohort_id))
    abort(400)


@bp.route(f"/cohorts/<int:cohort_id>/handbooks/{KIND}/standard", methods=["POST"])
@roles(Role.STAFF)
def standard_sections(cohort_id: int, kind: str):
    c = get_or_404(Cohort, cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        added = services.add_standard_sections(c, HandbookKind(kind), _me())
        db.session.commit()
    except DocumentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"{added} standard sections added: edit them to suit the cohort.", "success")
    return redirect(url_for("documents.cohort", cohort_id=c.id))


@bp.route(f"/cohorts/<int:cohort_id>/handbooks/{KIND}")
@roles(*ALL_READERS)
def handbook(cohort_id: int, kind: str):
    c = _readable_cohort(cohort_id)
    k = HandbookKind(kind)
    receipts = services.open_receipts(_me(), c.id) if k == HandbookKind.MANAGERS else []
    return render_template(
        "documents/handbook.html", cohort=c, kind=k, receipts=receipts, form=ActionForm()
    )


@bp.route(f"/cohorts/<int:cohort_id>/handbooks/{KIND}.pdf")
@roles(*ALL_READERS)
def handbook_pdf(cohort_id: int, kind: str):
    c = _readable_cohort(cohort_id)
    k = HandbookKind(kind)
    html = services.handbook_html(c, k)
    filename = services.handbook_filename(c, k)
    back = url_for("documents.handbook", cohort_id=c.id, kind=k.value)
    try:
        stored = pdf_for(html, filename)
    except RenderError as exc:
        return render_template("documents/failed.html", message=str(exc), back=back), 503
    if stored is None:
        return preparing(k.label, url_for("documents.handbook_pdf", cohort_id=c.id, kind=k.value))
    return storage.download(stored, filename)


def preparing(title: str, again: str):
    """Another request is making this PDF: say so, and ask the browser to try again soon
    (a Refresh header: a refresh tag in the page would trouble screen readers)."""
    response = make_response(render_template("documents/preparing.html", title=title, again=again))
    response.headers["Refresh"] = f"3; url={again}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/cohorts/<int:cohort_id>/acknowledgements")
@roles(Role.STAFF)
def acknowledgements(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    person, holder = aliased(User), aliased(User)
    not_read = case((HandbookReceipt.acknowledged_at.is_(None), 1), else_=0)
    page = parse_page(request.args.get("page"))
    per_page = current_app.config["PER_PAGE"]
    # one query: the page (those still to read first) as plain columns, with both figures
    # as window sums over every receipt of the cohort
    rows = db.session.execute(
        select(
            HandbookReceipt.id,
            HandbookReceipt.role,
            HandbookReceipt.sent_at,
            HandbookReceipt.acknowledged_at,
            person.name.label("person_name"),
            holder.name.label("holder_name"),
            func.count().over().label("total"),
            func.sum(not_read).over().label("waiting"),
        )
        .join(Award, Award.id == HandbookReceipt.award_id)
        .outerjoin(person, person.id == HandbookReceipt.user_id)
        .outerjoin(holder, holder.id == Award.holder_id)
        .where(Award.cohort_id == c.id)
        .order_by(HandbookReceipt.acknowledged_at.is_not(None), HandbookReceipt.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if rows:
        total, waiting = rows[0].total, int(rows[0].waiting or 0)
    elif page == 1:
        total, waiting = 0, 0
    else:  # past the last page: the figures on their own
        total, waiting = db.session.execute(
            select(func.count(HandbookReceipt.id), func.coalesce(func.sum(not_read), 0))
            .join(Award, Award.id == HandbookReceipt.award_id)
            .where(Award.cohort_id == c.id)
        ).one()
    page = Page(items=rows, page=page, per_page=per_page, total=total)
    return render_template(
        "documents/acknowledgements.html",
        cohort=c,
        page=page,
        total=total,
        waiting=waiting,
        form=ActionForm(),
    )


@bp.route("/cohorts/<int:cohort_id>/acknowledgements/send", methods=["POST"])
@roles(Role.STAFF)
def send_handbook(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    sent = services.send_managers_handbook(c, _me())
    db.session.commit()
    deliver_pending()
    if sent:
        flash(
            f"Managers' handbook sent to {sent} {'person' if sent == 1 else 'people'}.", "success"
        )
    else:
        flash("Every line manager and PSW in this cohort already has the handbook.", "info")
    return redirect(url_for("documents.acknowledgements", cohort_id=c.id))


@bp.route("/receipts/<int:receipt_id>/acknowledge", methods=["POST"])
@roles(Role.LINE_MANAGER, Role.PSW)
def acknowledge(receipt_id: int):
    me = _me()
    receipt = get_or_404(
        HandbookReceipt,
        receipt_id,
        lambda r: policy.can_acknowledge(me, r),
        options=[joinedload(HandbookReceipt.award)],
    )
    if not ActionForm().validate_on_submit():
        abort(400)
    back = url_for("documents.handbook", cohort_id=receipt.award.cohort_id, kind="managers")
    try:
        services.acknowledge(receipt, me)
        db.session.commit()
    except DocumentError as exc:
        db.session.rollback()
        flash(str(exc), "info")
    else:
        flash("Thank you: programme staff can see you have read the handbook.", "success")
    return redirect(back)
