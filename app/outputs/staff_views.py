"""Programme staff's output pages: every cohort's outputs and completion at a glance,
each cohort's output types and guidance, extensions, marking complete and publishing a
cohort's showcase page. Supervisors and line managers see their own people's outputs."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.awards.models import OWING, Award, AwardOutput, OutputKind
from app.cohorts.models import Cohort
from app.core.access import get_or_404, roles
from app.core.clock import today
from app.core.csv import safe_cell
from app.core.forms import ActionForm
from app.core.pagination import Page, paginate, parse_page
from app.core.roles import Role
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.outputs import policy, services
from app.outputs.blueprint import bp
from app.outputs.forms import ExtendForm, ShowcasePageForm, TypeForm
from app.outputs.models import ShowcasePage
from app.outputs.services import OutputError
from app.outputs.views import award_or_404, output_or_404
from app.supervision.models import Allocation, PoolKind


def _me():
    return current_user._get_current_object()


def _per_page() -> int:
    from flask import current_app

    return int(current_app.config.get("PER_PAGE", 25))


def _overdue_clause(t):
    return and_(AwardOutput.due_date < t, AwardOutput.status.in_(OWING))


@bp.route("/cohorts")
@roles(Role.STAFF)
def cohorts():
    t = today()
    complete = func.count(Award.completed_at)
    stmt = (
        select(
            Cohort,
            func.count(func.distinct(Award.id)),
            complete,
        )
        .outerjoin(Award, Award.cohort_id == Cohort.id)
        .group_by(Cohort.id)
        .order_by(Cohort.programme_start.desc(), Cohort.id)
    )
    page = paginate(
        stmt,
        parse_page(request.args.get("page")),
        _per_page(),
        scalars=False,
        count_stmt=select(func.count(Cohort.id)),
    )
    ids = [row[0].id for row in page.items]
    overdue = dict(
        db.session.execute(
            select(Award.cohort_id, func.count(AwardOutput.id))
            .join(AwardOutput, AwardOutput.award_id == Award.id)
            .where(Award.cohort_id.in_(ids), _overdue_clause(t))
            .group_by(Award.cohort_id)
        ).all()
    )
    return render_template("outputs/cohorts.html", page=page, overdue=overdue)


@dataclass
class HolderRow:
    """One award holder's row on a cohort's page: (output id, status label, overdue) for
    each kind the award owes."""

    award_id: int
    name: str
    completed_at: datetime | None
    outputs: dict[OutputKind, tuple[int, str, bool]]


def _holder_rows(rows, today_: date) -> list[HolderRow]:
    """Group (award id, completed at, holder name, output id, kind, status, due date) rows,
    one per output, into one row per award holder in the order given."""
    by_award: dict[int, HolderRow] = {}
    for award_id, completed_at, name, output_id, kind, status, due_date in rows:
        row = by_award.get(award_id)
        if row is None:
            row = by_award[award_id] = HolderRow(award_id, name, completed_at, {})
        if output_id is not None:
            overdue = due_date is not None and due_date < today_ and status in OWING
            row.outputs[kind] = (output_id, status.label, overdue)
    return list(by_award.values())


@bp.route("/cohorts/<int:cohort_id>")
@roles(Role.STAFF)
def cohort(cohort_id: int):
    """Completion at a glance: the figures in one statement, a page of award holders with
    their outputs in another (only the columns the table shows)."""
    c = get_or_404(Cohort, cohort_id)
    t = today()
    only_overdue = request.args.get("show") == "overdue"
    overdue = _overdue_clause(t)
    total, complete, overdue_outputs, overdue_holders, published_at = db.session.execute(
        select(
            func.count(func.distinct(Award.id)),
            func.count(func.distinct(case((Award.completed_at.is_not(None), Award.id)))),
            func.count(case((overdue, AwardOutput.id))),
            func.count(func.distinct(case((overdue, Award.id)))),
            select(ShowcasePage.published_at)
            .where(ShowcasePage.cohort_id == c.id)
            .scalar_subquery(),
        )
        .select_from(Award)
        .outerjoin(AwardOutput, AwardOutput.award_id == Award.id)
        .where(Award.cohort_id == c.id)
    ).one()
    number, per_page = parse_page(request.args.get("page")), _per_page()
    holders = (
        select(Award.id, Award.completed_at, User.name)
        .join(User, User.id == Award.holder_id)
        .where(Award.cohort_id == c.id)
        .order_by(Award.id)
        .limit(per_page)
        .offset((number - 1) * per_page)
    )
    if only_overdue:
        holders = holders.where(exists().where(AwardOutput.award_id == Award.id, overdue))
    holders = holders.subquery()
    rows = db.session.execute(
        select(
            holders,
            AwardOutput.id,
            AwardOutput.kind,
            AwardOutput.status,
            AwardOutput.due_date,
        )
        .outerjoin(AwardOutput, AwardOutput.award_id == holders.c.id)
        .order_by(holders.c.id)
    ).all()
    page = Page(
        items=_holder_rows(rows, t),
        page=number,
        per_page=per_page,
        total=overdue_holders if only_overdue else total,
    )
    return render_template(
        "outputs/cohort.html",
        cohort=c,
        page=page,
        kinds=[(k, k.short, k.short.lower()) for k in OutputKind],
        types=services.cohort_types(c),
        total=total,
        complete=complete,
        overdue=overdue_outputs,
        only_overdue=only_overdue,
        published_at=published_at,
        # one URL built for the award and output links, ids appended in the template
        award_href=url_for("outputs.award", award_id=0).removesuffix("0"),
        output_href=url_for("outputs.output", output_id=0).removesuffix("0"),
    )


@bp.route("/cohorts/<int:cohort_id>.csv")
@roles(Role.STAFF)
def cohort_csv(cohort_id: int):
    """Every output of the cohort: one row each, for reconciling with the evaluation."""
    c = get_or_404(Cohort, cohort_id)
    t = today()
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        ["Award holder", "Output", "Status", "Due", "Overdue", "Accepted", "Shared", "Complete"]
    )
    rows = db.session.scalars(
        select(Award)
        .where(Award.cohort_id == c.id)
        .options(joinedload(Award.holder), selectinload(Award.outputs))
        .order_by(Award.id)
    )
    for a in rows:
        for o in a.outputs:
            w.writerow(
                [
                    safe_cell(a.holder.name),
                    o.kind.label,
                    o.status.label,
                    o.due_date.isoformat() if o.due_date else "",
                    "yes" if o.is_overdue(t) else "no",
                    o.accepted_at.date().isoformat() if o.accepted_at else "",
                    "yes" if o.showcase_consent else "no",
                    a.completed_at.date().isoformat() if a.completed_at else "",
                ]
            )
    filename = f"outputs-{c.name}.csv".replace('"', "")
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/cohorts/<int:cohort_id>/types/<kind>", methods=["GET", "POST"])
@roles(Role.STAFF)
def output_type(cohort_id: int, kind: str):
    c = get_or_404(Cohort, cohort_id)
    if kind not in {k.value for k in OutputKind}:
        abort(404)
    current = next(t for t in services.cohort_types(c) if t.kind == OutputKind(kind))
    form = TypeForm(data={"due_date": current.due_date, "guidance": current.guidance})
    if form.validate_on_submit():
        try:
            services.save_type(
                c, OutputKind(kind), form.due_date.data, (form.guidance.data or "").strip(), _me()
            )
            db.session.commit()
        except OutputError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash(f"{OutputKind(kind).label}: due date and guidance saved.", "success")
            return redirect(url_for("outputs.cohort", cohort_id=c.id))
    return render_template("outputs/type_form.html", form=form, cohort=c, kind=OutputKind(kind))


@bp.route("/<int:output_id>/due-date", methods=["GET", "POST"])
@roles(Role.STAFF)
def extend(output_id: int):
    o = output_or_404(output_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            services.extend(o, _me(), form.new_due.data, (form.reason.data or "").strip())
            db.session.commit()
        except OutputError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash("Due date changed. The earlier date is kept in the history.", "success")
            return redirect(url_for("outputs.output", output_id=o.id))
    return render_template(
        "outputs/extend.html", form=form, output=o, history=services.due_history(o)
    )


@bp.route("/awards/<int:award_id>/complete", methods=["POST"])
@roles(Role.STAFF)
def complete(award_id: int):
    a = award_or_404(award_id)
    if ActionForm().validate_on_submit():
        try:
            services.mark_complete(a, _me())
            db.session.commit()
        except OutputError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(f"{a.holder.name} is marked complete.", "success")
    return redirect(url_for("outputs.award", award_id=award_id))


@bp.route("/cohorts/<int:cohort_id>/showcase-page", methods=["GET", "POST"])
@roles(Role.STAFF)
def showcase_page_edit(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    page = db.session.scalar(select(ShowcasePage).where(ShowcasePage.cohort_id == c.id))
    form = ShowcasePageForm(
        data={
            "publish": "yes" if page and page.published_at else "no",
            "introduction": page.introduction if page else "",
        }
    )
    if form.validate_on_submit():
        publish = form.publish.data == "yes"
        services.set_showcase_page(
            c, _me(), publish=publish, introduction=(form.introduction.data or "").strip()
        )
        db.session.commit()
        flash(
            "Published: people in participating organisations can read the page."
            if publish
            else "The cohort's showcase page is not published.",
            "success",
        )
        return redirect(url_for("outputs.cohort", cohort_id=c.id))
    return render_template("outputs/showcase_page_form.html", form=form, cohort=c, page=page)


# Supervisors and line managers ------------------------------------------------------


@bp.route("/people")
@roles(Role.SUPERVISOR, Role.LINE_MANAGER)
def people():
    """The outputs of the award holders I supervise (today) or manage, overdue first."""
    me, t = _me(), today()
    conditions = []
    if me.has_role(Role.LINE_MANAGER):
        conditions.append(Award.line_manager_id == me.id)
    if me.has_role(Role.SUPERVISOR):
        conditions.append(
            exists().where(
                Allocation.award_id == Award.id,
                Allocation.user_id == me.id,
                Allocation.kind == PoolKind.SUPERVISOR,
                Allocation.ended_on.is_(None),
            )
        )
    overdue_first = case(
        (exists().where(AwardOutput.award_id == Award.id, _overdue_clause(t)), 0), else_=1
    )
    stmt = (
        select(Award)
        .where(or_(*conditions), Award.completed_at.is_(None))
        .options(joinedload(Award.holder), joinedload(Award.cohort), selectinload(Award.outputs))
        .order_by(overdue_first, Award.id)
    )
    page = paginate(stmt, parse_page(request.args.get("page")), _per_page())
    return render_template("outputs/people.html", page=page, today=t, kinds=list(OutputKind))


@register_cards
def _output_cards(user) -> list[Card]:
    cards = []
    if user.has_role(Role.STAFF):
        t = today()
        overdue = db.session.scalar(select(func.count(AwardOutput.id)).where(_overdue_clause(t)))
        cards.append(
            Card(
                "Outputs",
                f"{overdue} output{'s' if overdue != 1 else ''} overdue. Posters, talks, "
                "reports and summaries by cohort; feedback, extensions and completion.",
                url_for("outputs.cohorts"),
                waiting=overdue,
            )
        )
    if user.has_role(Role.SUPERVISOR, Role.LINE_MANAGER):
        cards.append(
            Card(
                "Outputs",
                "The posters, talks, reports and summaries of the award holders you support.",
                url_for("outputs.people"),
            )
        )
    if user.has_role(Role.STAFF) or policy.participates(user):
        cards.append(
            Card(
                "Showcase",
                "Accepted posters, talks, reports and summaries from every cohort, shared "
                "between organisations.",
                url_for("outputs.showcase_index"),
            )
        )
    return cards
