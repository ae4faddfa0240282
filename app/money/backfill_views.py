"""Backfill funding pages for programme staff: one award holder's agreed amount, invoices
from the employer (with the invoice document), payments made, what remains, and where
and how the money went."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.awards.models import Award
from app.core import storage
from app.core.access import get_or_404, roles
from app.core.pagination import paginate, parse_page
from app.core.roles import Role
from app.extensions import db
from app.money import backfill
from app.money.blueprint import bp
from app.money.forms import BackfillEntryForm, BackfillPlanForm
from app.money.models import BackfillEntry, BackfillKind, BackfillPlan
from app.money.services import MoneyError


def _award(award_id: int) -> Award:
    # the holder's roles are not needed here (lazyload: no selectin query for them)
    return get_or_404(
        Award,
        award_id,
        options=[
            joinedload(Award.holder).lazyload(User.role_links),
            joinedload(Award.employer),
            joinedload(Award.cohort),
        ],
    )


def _page(award: Award, invoice=None, payment=None, plan_form=None):
    plan = db.session.scalar(select(BackfillPlan).where(BackfillPlan.award_id == award.id))
    # paged, uncounted (no COUNT query: the figures above are the totals that matter)
    entries = paginate(
        select(BackfillEntry)
        .where(BackfillEntry.award_id == award.id)
        .order_by(BackfillEntry.dated_on, BackfillEntry.id),
        parse_page(request.args.get("page")),
        current_app.config["PER_PAGE"],
        count=False,
    )
    return render_template(
        "money/backfill.html",
        award=award,
        figures=backfill.figures_for([award])[award.id],
        entries=entries,
        invoice=invoice or BackfillEntryForm(prefix="invoice"),
        payment=payment or BackfillEntryForm(prefix="payment"),
        plan_form=plan_form or BackfillPlanForm(obj=plan),
        accept=storage.ACCEPT,
    )


@bp.route("/backfill/<int:award_id>")
@roles(Role.STAFF)
def backfill_page(award_id: int):
    return _page(_award(award_id))


@bp.route("/backfill/<int:award_id>/<kind>", methods=["POST"])
@roles(Role.STAFF)
def backfill_add(award_id: int, kind: str):
    if kind not in (BackfillKind.INVOICE.value, BackfillKind.PAYMENT.value):
        abort(404)
    a = _award(award_id)
    form = BackfillEntryForm(prefix=kind)
    if form.validate_on_submit():
        upload = request.files.get(form.document.name)
        try:
            document = None
            if kind == "invoice" and upload is not None and upload.filename:
                data = upload.read(storage.max_bytes() + 1)
                document = (data, upload.filename, upload.mimetype)
            backfill.add_entry(
                a,
                current_user._get_current_object(),
                BackfillKind(kind),
                (form.reference.data or "").strip(),
                form.on.data,
                form.amount.data,
                document,
            )
            db.session.commit()
        except (MoneyError, storage.StorageError) as exc:
            db.session.rollback()
            field = getattr(exc, "field", None) or "document"
            form.add_error(field, str(exc))
        else:
            flash("Invoice recorded." if kind == "invoice" else "Payment recorded.", "success")
            return redirect(url_for("money.backfill_page", award_id=a.id))
    a = _award(award_id)
    return _page(a, **{kind: form})


@bp.route("/backfill/<int:award_id>/plan", methods=["POST"])
@roles(Role.STAFF)
def backfill_plan(award_id: int):
    a = _award(award_id)
    form = BackfillPlanForm()
    if form.validate_on_submit():
        backfill.save_plan(
            a,
            current_user._get_current_object(),
            (form.team_budget.data or "").strip(),
            (form.use_note.data or "").strip(),
        )
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("money.backfill_page", award_id=a.id))
    return _page(a, plan_form=form)


@bp.route("/backfill/documents/<int:entry_id>")
@roles(Role.STAFF)
def backfill_document(entry_id: int):
    e = get_or_404(
        BackfillEntry,
        entry_id,
        lambda x: x.file_id is not None,
        options=[joinedload(BackfillEntry.file)],
    )
    return storage.download(e.file, e.filename or "invoice" + e.file.extension)
