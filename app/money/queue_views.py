"""Programme staff's spending queue: every holder's items, filtered and paged (submitted
first by default), approved or rejected in bulk, and exported as CSV."""

from __future__ import annotations

import csv
import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.access import roles
from app.core.csv import safe_cell
from app.core.mail import deliver_pending
from app.core.pagination import paginate, parse_page
from app.core.params import arg_choice, arg_int
from app.core.roles import Role
from app.extensions import db
from app.money import budget, services
from app.money.blueprint import bp
from app.money.forms import CATEGORY_FILTERS, STATUS_FILTERS, BulkForm
from app.money.models import Receipt, SpendingItem
from app.money.services import MoneyError

CSV_LIMIT = 50_000


def _filters() -> dict:
    return {
        # the queue opens on what waits for a decision; "Any status" is an explicit choice
        "status": arg_choice("status", [v for v, _ in STATUS_FILTERS], "submitted")
        if "status" in request.args
        else "submitted",
        "category": arg_choice("category", [v for v, _ in CATEGORY_FILTERS], ""),
        "cohort": arg_int("cohort"),
    }


def _query(f: dict):
    stmt = (
        select(SpendingItem)
        .join(Award, Award.id == SpendingItem.award_id)
        .options(
            joinedload(SpendingItem.award).joinedload(Award.holder),
            joinedload(SpendingItem.award).joinedload(Award.cohort),
        )
        .order_by(SpendingItem.id)
    )
    return _where(stmt, f)


def _where(stmt, f: dict):
    if f["status"]:
        stmt = stmt.where(SpendingItem.status == f["status"])
    if f["category"]:
        stmt = stmt.where(SpendingItem.category == f["category"])
    if f["cohort"]:
        stmt = stmt.where(Award.cohort_id == f["cohort"])
    return stmt


def _page_rows(f: dict):
    """The page's rows as plain columns (holder and cohort names, the receipt count):
    one query, no ORM objects; the count joins the award only to filter by cohort."""
    receipts = (
        select(func.count(Receipt.id))
        .where(Receipt.item_id == SpendingItem.id)
        .correlate(SpendingItem)
        .scalar_subquery()
    )
    stmt = _where(
        select(
            SpendingItem.id,
            SpendingItem.award_id,
            SpendingItem.description,
            SpendingItem.category,
            SpendingItem.spent_on,
            SpendingItem.amount_pence,
            SpendingItem.status,
            User.name.label("holder_name"),
            Cohort.name.label("cohort_name"),
            receipts.label("receipt_count"),
        )
        .join(Award, Award.id == SpendingItem.award_id)
        .join(User, User.id == Award.holder_id)
        .join(Cohort, Cohort.id == Award.cohort_id)
        .order_by(SpendingItem.id),
        f,
    )
    counted = select(func.count(SpendingItem.id))
    if f["cohort"]:
        counted = counted.join(Award, Award.id == SpendingItem.award_id)
    return paginate(
        stmt,
        parse_page(request.args.get("page")),
        25,
        scalars=False,
        count_stmt=_where(counted, f),
    )


@bp.route("/queue")
@roles(Role.STAFF)
def queue():
    f = _filters()
    page = _page_rows(f)
    cohorts = db.session.execute(
        select(Cohort.id, Cohort.name).order_by(Cohort.programme_start.desc())
    ).all()
    return render_template(
        "money/queue.html",
        page=page,
        filters=f,
        cohorts=cohorts,
        status_filters=STATUS_FILTERS,
        category_filters=CATEGORY_FILTERS,
        form=BulkForm(),
    )


QUEUE_HEADERS = [
    "Item",
    "Cohort",
    "Award holder",
    "Category",
    "Description",
    "Supplier",
    "Date",
    "Amount (GBP)",
    "Status",
    "Corrects item",
    "Payment reference",
    "Paid how",
]


def _rows():
    """The filtered items as rows under QUEUE_HEADERS (a date, amounts in pence)."""
    for item in db.session.scalars(_query(_filters()).limit(CSV_LIMIT)):
        yield [
            item.id,
            item.award.cohort.name,
            item.award.holder.name,
            item.category.label,
            item.description,
            item.supplier,
            item.spent_on,
            item.amount_pence,
            item.status.label,
            item.adjusts_id or "",
            item.payment_reference or "",
            item.payment_method.label if item.payment_method else "",
        ]


@bp.route("/queue.csv")
@roles(Role.STAFF)
def queue_csv():
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(QUEUE_HEADERS)
    for row in _rows():
        cells = [safe_cell(v) for v in row]
        # our own figures: a refund's "-12.50" is a number, not a formula to defuse
        cells[6], cells[7] = row[6].isoformat(), budget.pounds(row[7])
        w.writerow(cells)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="personal-award-spending.csv"'},
    )


@bp.route("/queue.xlsx")
@roles(Role.STAFF)
def queue_xlsx():
    return Response(
        budget.sheet_bytes("Spending", QUEUE_HEADERS, _rows(), amount_column=7),
        mimetype=budget.XLSX,
        headers={"Content-Disposition": 'attachment; filename="personal-award-spending.xlsx"'},
    )


@bp.route("/queue/decide", methods=["POST"])
@roles(Role.STAFF)
def bulk():
    form = BulkForm()
    back = url_for("money.queue", **{k: v for k, v in _filters().items() if v})
    if not form.validate_on_submit() or not form.items.data:
        flash("Select at least one item, and approve or reject.", "error")
        return redirect(back)
    me = current_user._get_current_object()
    reason = (form.reason.data or "").strip()
    if form.decision.data == "reject" and not reason:
        flash("Enter a reason to reject the selected items.", "error")
        return redirect(back)
    done, refused = 0, []
    ids = sorted(set(form.items.data))[:100]
    for item in db.session.scalars(select(SpendingItem).where(SpendingItem.id.in_(ids))):
        try:
            if form.decision.data == "approve":
                services.approve(item, me)
            else:
                services.reject(item, me, reason)
            done += 1
        except MoneyError as exc:
            refused.append(f"Item {item.id}: {exc}")
    db.session.commit()
    deliver_pending()
    verb = "approved" if form.decision.data == "approve" else "rejected"
    if done:
        flash(f"{done} item{'s' if done != 1 else ''} {verb}.", "success")
    for message in refused[:10]:
        flash(message, "error")
    return redirect(back)
