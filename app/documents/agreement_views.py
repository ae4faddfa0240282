"""Learning agreement pages: staff prepare them for a cohort; the award holder and staff
write them; the holder, line manager and assistant director read and sign; everyone who
may see the award holder's record downloads the PDF; staff check a verification
reference."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core import storage
from app.core.access import get_or_404, roles
from app.core.forms import ActionForm
from app.core.mail import deliver_pending
from app.core.pagination import Page, parse_page
from app.core.params import INT_MAX
from app.core.roles import Role
from app.documents import agreements, policy
from app.documents.blueprint import bp
from app.documents.cache import pdf_for
from app.documents.forms import AgreementForm, SignForm, VerifyForm
from app.documents.handbook_views import preparing
from app.documents.models import AgreementStatus, LearningAgreement, SignatoryRole, Signature
from app.documents.render import RenderError
from app.documents.services import DocumentError
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.organisations.models import Organisation

VIEWERS = (
    Role.STAFF,
    Role.AWARD_HOLDER,
    Role.LINE_MANAGER,
    Role.ASSISTANT_DIRECTOR,
    Role.SUPERVISOR,
    Role.COACH,
)


def _me():
    return current_user._get_current_object()


def _agreement_or_404(award_id: int, rule=policy.can_view_agreement) -> LearningAgreement:
    """The award's agreement with its signatures, and the award with its holder, cohort
    and employer, in one query; 404 when there is none or `rule` says it is not yours."""
    me = _me()
    if not 0 < award_id <= INT_MAX:  # past what an id column holds: no such record
        abort(404)
    agreement = (
        db.session.scalars(
            select(LearningAgreement)
            .where(LearningAgreement.award_id == award_id)
            .options(
                joinedload(LearningAgreement.award).options(
                    joinedload(Award.holder).lazyload(User.role_links),
                    joinedload(Award.cohort),
                    joinedload(Award.employer),
                    joinedload(Award.line_manager).lazyload(User.role_links),
                ),
                joinedload(LearningAgreement.assistant_director).lazyload(User.role_links),
                joinedload(LearningAgreement.signatures),
            )
        )
        .unique()
        .one_or_none()
    )
    if agreement is None or not rule(me, agreement.award):
        abort(404)
    return agreement


@bp.route("/cohorts/<int:cohort_id>/agreements")
@roles(Role.STAFF)
def agreements_list(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    page = parse_page(request.args.get("page"))
    per_page = current_app.config["PER_PAGE"]
    # is any award holder of the cohort without an agreement (the "prepare" button)?
    other = aliased(Award)
    missing = select(other.id).where(
        other.cohort_id == c.id,
        ~exists().where(LearningAgreement.award_id == other.id),
    )
    # one query: the page's plain columns, the number of holders (a window count) and
    # whether any agreement is missing (an uncorrelated subquery, worked out once)
    rows = db.session.execute(
        select(
            Award.id,
            Award.completed_at,
            User.name.label("holder_name"),
            Organisation.name.label("employer_name"),
            LearningAgreement.id.label("agreement_id"),
            LearningAgreement.status,
            func.count().over().label("total"),
            missing.exists().label("missing"),
        )
        .outerjoin(User, User.id == Award.holder_id)
        .outerjoin(Organisation, Organisation.id == Award.employer_id)
        .outerjoin(LearningAgreement, LearningAgreement.award_id == Award.id)
        .where(Award.cohort_id == c.id)
        .order_by(Award.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if rows:
        total, any_missing = rows[0].total, bool(rows[0].missing)
    elif page == 1:
        total, any_missing = 0, False
    else:  # past the last page
        total = db.session.scalar(select(func.count(Award.id)).where(Award.cohort_id == c.id))
        any_missing = db.session.scalar(select(missing.exists())) or False
    signed: dict[int, list[str]] = {}
    ids = [r.agreement_id for r in rows if r.agreement_id is not None]
    if ids:
        for agreement_id, role in db.session.execute(
            select(Signature.agreement_id, Signature.role)
            .where(Signature.agreement_id.in_(ids), Signature.voided_at.is_(None))
            .order_by(Signature.id)
        ):
            signed.setdefault(agreement_id, []).append(SignatoryRole(role).label)
    return render_template(
        "documents/agreements.html",
        cohort=c,
        found=Page(items=rows, page=page, per_page=per_page, total=total),
        signed=signed,
        missing=any_missing,
        form=ActionForm(),
    )


@bp.route("/cohorts/<int:cohort_id>/agreements/prepare", methods=["POST"])
@roles(Role.STAFF)
def prepare(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    awards = db.session.scalars(
        select(Award)
        .where(Award.cohort_id == c.id, ~Award.id.in_(select(LearningAgreement.award_id)))
        .order_by(Award.id)
    ).all()
    for award in awards:
        agreements.prepare(award, _me())
    db.session.commit()
    deliver_pending()
    flash(f"{len(awards)} learning agreements prepared and their signatories emailed.", "success")
    return redirect(url_for("documents.agreements_list", cohort_id=c.id))


def _page(agreement: LearningAgreement, form: SignForm | None = None, status: int = 200):
    me = _me()
    content = agreements.content(agreement)
    current = agreements.content_hash(content)
    stale = current != agreement.content_hash
    live = [] if stale else agreements.live_signatures(agreement)
    mine = policy.signatory_roles(me, agreement)
    signed_roles = {s.role for s in live}
    to_sign = [r for r in mine if r not in signed_roles]
    if form is None:
        form = SignForm(formdata=None, data={"content_hash": current})
    form.content_hash.data = current
    return render_template(
        "documents/agreement.html",
        agreement=agreement,
        award=agreement.award,
        content=content,
        content_hash=current,
        stale=stale,
        signatures=live,
        unsigned=[r for r in SignatoryRole if r not in signed_roles],
        mine=mine,
        to_sign=to_sign,
        form=form,
        can_edit=policy.can_edit_agreement(me, agreement.award),
    ), status


@bp.route("/agreements/<int:award_id>")
@roles(*VIEWERS)
def agreement(award_id: int):
    return _page(_agreement_or_404(award_id))


@bp.route("/agreements/<int:award_id>/sign", methods=["POST"])
@roles(*VIEWERS)
def sign(award_id: int):
    a = _agreement_or_404(award_id)
    form = SignForm()
    if form.validate_on_submit():
        try:
            signature = agreements.sign(a, _me(), form.name.data, form.content_hash.data or "")
            db.session.commit()
        except DocumentError as exc:
            db.session.rollback()
            a = _agreement_or_404(award_id)
            form.add_error(exc.field, str(exc))
        else:
            deliver_pending()
            flash(
                f"You signed the learning agreement. Verification reference: "
                f"{signature.reference}.",
                "success",
            )
            return redirect(url_for("documents.agreement", award_id=award_id))
    return _page(a, form, 400 if form.errors else 200)


@bp.route("/agreements/<int:award_id>/edit", methods=["GET", "POST"])
@roles(Role.STAFF, Role.AWARD_HOLDER)
def agreement_edit(award_id: int):
    a = _agreement_or_404(award_id, policy.can_edit_agreement)
    form = AgreementForm(obj=a)
    if form.validate_on_submit():
        values = {k: getattr(form, k).data or "" for k in agreements.EDITABLE}
        changed = agreements.update(a, _me(), values)
        db.session.commit()
        deliver_pending()
        flash(
            "Agreement changed: its signatories have been asked to sign it again."
            if changed
            else "Nothing was changed.",
            "success" if changed else "info",
        )
        return redirect(url_for("documents.agreement", award_id=award_id))
    return render_template("documents/agreement_form.html", agreement=a, award=a.award, form=form)


def agreement_html(a: LearningAgreement) -> str:
    content = agreements.content(a)
    current = agreements.content_hash(content)
    live = [] if current != a.content_hash else agreements.live_signatures(a)
    signed = {s.role for s in live}
    return render_template(
        "documents/pdf/agreement.html",
        content=content,
        content_hash=current,
        version=a.version,
        signatures=live,
        unsigned=[r for r in SignatoryRole if r not in signed],
    )


@bp.route("/agreements/<int:award_id>.pdf")
@roles(*VIEWERS)
def agreement_pdf(award_id: int):
    a = _agreement_or_404(award_id)
    filename = f"learning-agreement-{a.award_id}-v{a.version}.pdf"
    try:
        stored = pdf_for(agreement_html(a), filename)
    except RenderError as exc:
        back = url_for("documents.agreement", award_id=award_id)
        return render_template("documents/failed.html", message=str(exc), back=back), 503
    if stored is None:
        return preparing(
            "Learning agreement", url_for("documents.agreement_pdf", award_id=award_id)
        )
    return storage.download(stored, filename)


@bp.route("/verify")
@roles(Role.STAFF)
def verify():
    form = VerifyForm(request.args if "reference" in request.args else None)
    signature = None
    looked = False
    current = None
    if "reference" in request.args and form.validate():
        looked = True
        signature = agreements.find_signature(form.reference.data)
        if signature is not None:
            current = agreements.content_hash(agreements.content(signature.agreement))
    return render_template(
        "documents/verify.html", form=form, signature=signature, looked=looked, current=current
    )


@register_cards
def _signature_cards(user) -> list[Card]:
    """A learning agreement waiting for this person's signature."""
    if not user.has_role(Role.AWARD_HOLDER, Role.LINE_MANAGER, Role.ASSISTANT_DIRECTOR):
        return []
    mine = []
    if user.has_role(Role.AWARD_HOLDER):
        mine.append(Award.holder_id == user.id)
    if user.has_role(Role.LINE_MANAGER):
        mine.append(Award.line_manager_id == user.id)
    if user.has_role(Role.ASSISTANT_DIRECTOR):
        mine.append(LearningAgreement.assistant_director_id == user.id)
    signed = exists().where(
        Signature.agreement_id == LearningAgreement.id,
        Signature.user_id == user.id,
        Signature.voided_at.is_(None),
    )
    waiting = db.session.scalar(
        select(func.count(LearningAgreement.id))
        .join(Award, Award.id == LearningAgreement.award_id)
        .where(LearningAgreement.status == AgreementStatus.AWAITING, or_(*mine), ~signed)
    )
    if not waiting:
        return []
    return [
        Card(
            f"{waiting} learning agreement{'s' if waiting != 1 else ''} to sign",
            "Read the agreement on how the study days will be managed, then sign it with "
            "your name.",
            url_for("documents.index"),
            waiting=waiting,
        )
    ]
