"""Personal award pages: the award holder records spending with receipts and submits it;
programme staff approve, reject and pay it, and vary a holder's cap."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.awards.models import Award
from app.awards.services import holder_awards, latest_award
from app.core import storage
from app.core.access import get_or_404, roles
from app.core.formatting import format_pence
from app.core.forms import ActionForm
from app.core.mail import deliver_pending
from app.core.pagination import paginate, parse_page
from app.core.roles import Role
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.money import policy, services
from app.money.blueprint import bp
from app.money.forms import CapForm, CorrectionForm, ItemForm, PayForm, ReceiptForm, RejectForm
from app.money.models import Category, ItemStatus, PaymentMethod, Receipt, SpendingItem
from app.money.services import MoneyError

HOLDERS = (Role.AWARD_HOLDER,)


def _me():
    return current_user._get_current_object()


def _award_or_404(award_id: int) -> Award:
    me = _me()
    return get_or_404(
        Award,
        award_id,
        lambda a: policy.can_view_award(me, a),
        options=[joinedload(Award.cohort), joinedload(Award.holder)],
    )


def _item_or_404(item_id: int, rule=policy.can_view_item) -> SpendingItem:
    me = _me()
    return get_or_404(
        SpendingItem,
        item_id,
        lambda i: rule(me, i),
        options=[joinedload(SpendingItem.award).joinedload(Award.cohort)],
    )


def _details(form: ItemForm, sign: int = 1) -> services.ItemDetails:
    return services.ItemDetails(
        category=Category(form.category.data),
        description=(form.description.data or "").strip(),
        supplier=(form.supplier.data or "").strip(),
        spent_on=form.spent_on.data,
        amount_pence=sign * form.amount.data,
    )


@bp.route("/")
@roles(Role.AWARD_HOLDER)
def mine():
    award = latest_award(_me().id)
    if award is None:
        return render_template("money/no_award.html")
    return redirect(url_for("money.award", award_id=award.id))


@bp.route("/awards/<int:award_id>")
@roles(Role.STAFF, Role.AWARD_HOLDER)
def award(award_id: int):
    a = _award_or_404(award_id)
    items = paginate(
        select(SpendingItem)
        .where(SpendingItem.award_id == a.id)
        .options(selectinload(SpendingItem.receipts))
        .order_by(SpendingItem.spent_on.desc(), SpendingItem.id.desc()),
        parse_page(request.args.get("page")),
        25,
    )
    return render_template(
        "money/award.html",
        award=a,
        figures=services.figures(a),
        items=items,
        can_record=policy.can_record(_me(), a),
        staff=_me().has_role(Role.STAFF),
    )


@bp.route("/awards/<int:award_id>/items/new", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER)
def item_new(award_id: int):
    a = _award_or_404(award_id)
    if not policy.can_record(_me(), a):
        abort(404)
    form = ItemForm()
    if form.validate_on_submit():
        try:
            item = services.record(a, _me(), _details(form))
            db.session.commit()
        except MoneyError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash(
                "Item recorded as planned. Add a receipt, then submit it for approval.", "success"
            )
            return redirect(url_for("money.item", item_id=item.id))
    return render_template("money/item_form.html", form=form, award=a, item=None)


@bp.route("/items/<int:item_id>")
@roles(Role.STAFF, Role.AWARD_HOLDER)
def item(item_id: int):
    i = _item_or_404(item_id)
    me = _me()
    return render_template(
        "money/item.html",
        item=i,
        figures=services.figures(i.award),
        receipt_form=ReceiptForm(),
        action_form=ActionForm(),
        can_edit=policy.can_edit(me, i),
        can_decide=policy.can_decide(me, i),
        can_pay=policy.can_pay(me, i),
        can_correct=policy.can_record(me, i.award)
        and i.status in (ItemStatus.APPROVED, ItemStatus.PAID),
        second=services.needs_second_approver(i),
        accept=storage.ACCEPT,
    )


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER)
def item_edit(item_id: int):
    i = _item_or_404(item_id, policy.can_edit)
    form = ItemForm(obj=i, data={"amount": i.amount_pence})
    if form.validate_on_submit():
        try:
            services.update(i, _me(), _details(form))
            db.session.commit()
        except MoneyError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash("Item changed.", "success")
            return redirect(url_for("money.item", item_id=i.id))
    return render_template("money/item_form.html", form=form, award=i.award, item=i)


@bp.route("/items/<int:item_id>/correct", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER)
def correction_new(item_id: int):
    i = _item_or_404(item_id, lambda u, x: policy.can_record(u, x.award))
    if i.status not in (ItemStatus.APPROVED, ItemStatus.PAID):
        abort(404)
    form = CorrectionForm(data={"category": i.category.value, "supplier": i.supplier})
    if form.validate_on_submit():
        sign = -1 if form.direction.data == "less" else 1
        try:
            new = services.record(i.award, _me(), _details(form, sign), adjusts=i)
            db.session.commit()
        except MoneyError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash("Correction recorded as planned. Add a receipt, then submit it.", "success")
            return redirect(url_for("money.item", item_id=new.id))
    return render_template("money/item_form.html", form=form, award=i.award, item=None, adjusts=i)


@bp.route("/items/<int:item_id>/receipts", methods=["POST"])
@roles(Role.AWARD_HOLDER)
def receipt_add(item_id: int):
    i = _item_or_404(item_id, policy.can_edit)
    form = ReceiptForm()
    upload = request.files.get("receipt")
    if form.validate_on_submit():
        if upload is None or not upload.filename:
            form.add_error("receipt", "Select a receipt or invoice")
        else:
            try:
                data = upload.read(storage.max_bytes() + 1)
                services.add_receipt(i, _me(), data, upload.filename, upload.mimetype)
                db.session.commit()
            except (MoneyError, storage.StorageError) as exc:
                db.session.rollback()
                form.add_error("receipt", str(exc))
            else:
                flash("Receipt added.", "success")
                return redirect(url_for("money.item", item_id=i.id))
    db.session.rollback()
    i = _item_or_404(item_id, policy.can_edit)
    return render_template(
        "money/item.html",
        item=i,
        figures=services.figures(i.award),
        receipt_form=form,
        action_form=ActionForm(),
        can_edit=True,
        can_decide=False,
        can_pay=False,
        can_correct=False,
        second=services.needs_second_approver(i),
        accept=storage.ACCEPT,
    )


@bp.route("/receipts/<int:receipt_id>")
@roles(Role.STAFF, Role.AWARD_HOLDER)
def receipt(receipt_id: int):
    me = _me()
    r = get_or_404(
        Receipt,
        receipt_id,
        lambda x: policy.can_view_item(me, x.item),
        options=[joinedload(Receipt.file)],
    )
    return storage.download(r.file, r.filename)


def _act(item_id: int, rule, action, done: str):
    """POST buttons: load, check, call the service, commit, redirect."""
    i = _item_or_404(item_id, rule)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = action(i)
        db.session.commit()
    except MoneyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        deliver_pending()
        flash(
            done
            if result is not False
            else "Approval recorded. Another member of staff "
            "must approve it too, as it is above the cohort's limit for one approver.",
            "success",
        )
    return redirect(url_for("money.item", item_id=item_id))


@bp.route("/items/<int:item_id>/submit", methods=["POST"])
@roles(Role.AWARD_HOLDER)
def submit(item_id: int):
    return _act(
        item_id,
        lambda u, i: policy.can_record(u, i.award),
        lambda i: services.submit(i, _me()),
        "Item submitted. Programme staff will check it and tell you.",
    )


@bp.route("/items/<int:item_id>/approve", methods=["POST"])
@roles(Role.STAFF)
def approve(item_id: int):
    return _act(
        item_id, policy.can_view_item, lambda i: services.approve(i, _me()), "Item approved."
    )


def _reason_page(item_id: int, form_cls, template: str, action, done: str, field: str):
    i = _item_or_404(item_id)
    form = form_cls()
    if form.validate_on_submit():
        try:
            action(i, getattr(form, field).data or "")
            db.session.commit()
        except MoneyError as exc:
            db.session.rollback()
            form.add_error(exc.field or field, str(exc))
        else:
            deliver_pending()
            flash(done, "success")
            return redirect(url_for("money.item", item_id=i.id))
    return render_template(template, form=form, item=i)


@bp.route("/items/<int:item_id>/reject", methods=["GET", "POST"])
@roles(Role.STAFF)
def reject(item_id: int):
    return _reason_page(
        item_id,
        RejectForm,
        "money/reject.html",
        lambda i, reason: services.reject(i, _me(), reason),
        "Item rejected. The award holder can see why.",
        "reason",
    )


@bp.route("/items/<int:item_id>/pay", methods=["GET", "POST"])
@roles(Role.STAFF)
def pay(item_id: int):
    i = _item_or_404(item_id)
    form = PayForm()
    if form.validate_on_submit():
        try:
            method = PaymentMethod(form.method.data)
            services.pay(i, _me(), form.reference.data or "", method)
            db.session.commit()
        except MoneyError as exc:
            db.session.rollback()
            form.add_error(exc.field or "reference", str(exc))
        else:
            deliver_pending()
            flash("Item marked as paid.", "success")
            return redirect(url_for("money.item", item_id=i.id))
    return render_template("money/pay.html", form=form, item=i)


@bp.route("/awards/<int:award_id>/cap", methods=["GET", "POST"])
@roles(Role.STAFF)
def cap(award_id: int):
    a = _award_or_404(award_id)
    form = CapForm(data={"cap": a.personal_award_cap_pence})
    if form.validate_on_submit():
        try:
            services.change_cap(a, _me(), form.cap.data, form.reason.data or "")
            db.session.commit()
        except MoneyError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash("Personal award changed.", "success")
            return redirect(url_for("money.award", award_id=a.id))
    return render_template("money/cap.html", form=form, award=a, figures=services.figures(a))


@register_cards
def _money_cards(user) -> list[Card]:
    cards = []
    if user.has_role(Role.STAFF):
        waiting = db.session.scalar(
            select(func.count(SpendingItem.id)).where(SpendingItem.status == ItemStatus.SUBMITTED)
        )
        cards.append(
            Card(
                "Spending approvals",
                f"{waiting} personal-award item{'s' if waiting != 1 else ''} waiting for "
                "approval. Check receipts, approve or reject, and mark items paid.",
                url_for("money.queue"),
                waiting=waiting,
            )
        )
    if user.has_role(Role.AWARD_HOLDER):
        awards = holder_awards(user.id)  # latest_award's choice, from the request's list
        award = max(awards, key=lambda a: a.awarded_at) if awards else None
        if award is not None:
            left = services.figures(award).remaining
            cards.append(
                Card(
                    "Your personal award",
                    f"{format_pence(left)} left. Record spending with its receipt and submit "
                    "it for approval.",
                    url_for("money.award", award_id=award.id),
                )
            )
    return cards
