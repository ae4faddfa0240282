"""Residential workshop pages: staff set up workshops and timetables and keep the register;
award holders see their cohort's workshops, reply and send apologies."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.cohorts.models import Cohort
from app.core.access import get_or_404, roles
from app.core.clock import today
from app.core.csv import safe_cell
from app.core.forms import ActionForm
from app.core.navigation import register_nav
from app.core.pagination import paginate, parse_page
from app.core.roles import Role
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.residentials import lists, services
from app.residentials.blueprint import bp
from app.residentials.forms import (
    NO,
    YES,
    ApologiesForm,
    RegisterForm,
    RegistrationForm,
    SessionForm,
    WorkshopForm,
)
from app.residentials.models import Mark, Registration, Workshop, WorkshopSession
from app.residentials.services import ResidentialError


def _me():
    return current_user._get_current_object()


def _text(field) -> str:
    return (field.data or "").strip()


def _workshop_or_404(workshop_id: int, staff_only: bool = False) -> Workshop:
    user = _me()
    if staff_only:
        return get_or_404(Workshop, workshop_id, options=[joinedload(Workshop.cohort)])
    return get_or_404(
        Workshop,
        workshop_id,
        lambda w: services.can_view(user, w),
        options=[joinedload(Workshop.cohort)],
    )


def _holder_award_or_404(workshop: Workshop):
    award = services.holder_award(_me(), workshop.cohort_id)
    if award is None:
        abort(404)
    return award


@bp.route("/")
@roles(Role.STAFF)
def index():
    cohorts = paginate(
        select(Cohort).order_by(Cohort.programme_start.desc(), Cohort.id),
        parse_page(request.args.get("page")),
        25,
    )
    return render_template("residentials/index.html", cohorts=cohorts)


@bp.route("/mine")
@roles(Role.AWARD_HOLDER)
def mine():
    return render_template("residentials/mine.html", mine=services.holder_workshops(_me()))


@bp.route("/cohorts/<int:cohort_id>")
@roles(Role.STAFF)
def cohort(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    workshops = list(
        db.session.scalars(
            select(Workshop).where(Workshop.cohort_id == c.id).order_by(Workshop.starts_on)
        )
    )
    return render_template(
        "residentials/cohort.html",
        cohort=c,
        workshops=workshops,
        planned=services.workshop_count(c),
        rates=lists.attendance_rates(c.id, workshops, today()),
    )


def _details(form: WorkshopForm) -> services.WorkshopDetails:
    return services.WorkshopDetails(
        venue=_text(form.venue),
        address=_text(form.address),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        arrival_time=form.arrival_time.value,
        departure_time=form.departure_time.value,
    )


@bp.route("/cohorts/<int:cohort_id>/new", methods=["GET", "POST"])
@roles(Role.STAFF)
def workshop_new(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    form = WorkshopForm()
    if form.validate_on_submit():
        try:
            w = services.save_workshop(c, _me(), _details(form))
            db.session.commit()
        except ResidentialError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash(f"{w.title} set up. Add its timetable next.", "success")
            return redirect(url_for("residentials.workshop", workshop_id=w.id))
    return render_template("residentials/workshop_form.html", cohort=c, form=form, workshop=None)


@bp.route("/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@roles(Role.STAFF)
def workshop_edit(workshop_id: int):
    w = _workshop_or_404(workshop_id, staff_only=True)
    form = WorkshopForm(obj=w)
    if form.validate_on_submit():
        try:
            services.save_workshop(w.cohort, _me(), _details(form), w)
            db.session.commit()
        except ResidentialError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash(f"{w.title} changed.", "success")
            return redirect(url_for("residentials.workshop", workshop_id=w.id))
    return render_template(
        "residentials/workshop_form.html", cohort=w.cohort, form=form, workshop=w
    )


@bp.route("/workshops/<int:workshop_id>")
@roles(Role.STAFF, Role.AWARD_HOLDER)
def workshop(workshop_id: int):
    w = _workshop_or_404(workshop_id)
    me = _me()
    staff = me.has_role(Role.STAFF)
    award = services.holder_award(me, w.cohort_id)
    registrations = []
    if staff:
        registrations = services.register(w, w.starts_on)
    mine = reg = None
    if award is not None:
        mine = services.attendance_of(award)
        reg = db.session.scalar(
            select(Registration).where(
                Registration.workshop_id == w.id, Registration.award_id == award.id
            )
        )
    return render_template(
        "residentials/workshop.html",
        workshop=w,
        staff=staff,
        lines=registrations,
        award=award,
        mine=mine,
        registration=reg,
        action_form=ActionForm(),
        today=today(),
    )


@bp.route("/workshops/<int:workshop_id>/sessions/new", methods=["GET", "POST"])
@roles(Role.STAFF)
def session_new(workshop_id: int):
    w = _workshop_or_404(workshop_id, staff_only=True)
    form = SessionForm(w.days)
    if form.validate_on_submit():
        try:
            services.add_session(
                w,
                _me(),
                services.SessionDetails(
                    day=form.chosen_day,
                    starts_at=form.starts_at.value,
                    ends_at=form.ends_at.value,
                    title=_text(form.title),
                    speaker=_text(form.speaker),
                    room=_text(form.room),
                    description=_text(form.description),
                ),
            )
            db.session.commit()
        except ResidentialError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash(f"'{_text(form.title)}' added to the timetable.", "success")
            return redirect(url_for("residentials.workshop", workshop_id=w.id) + "#timetable")
    return render_template("residentials/session_form.html", workshop=w, form=form)


@bp.route("/sessions/<int:session_id>/remove", methods=["POST"])
@roles(Role.STAFF)
def session_remove(session_id: int):
    s = get_or_404(WorkshopSession, session_id)
    workshop_id, title = s.workshop_id, s.title
    if ActionForm().validate_on_submit():
        services.remove_session(s, _me())
        db.session.commit()
        flash(f"'{title}' removed from the timetable.", "success")
    return redirect(url_for("residentials.workshop", workshop_id=workshop_id) + "#timetable")


def _day_or_404(w: Workshop, day: str) -> date:
    try:
        value = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if value not in w.days:
        abort(404)
    return value


def _register_page(w: Workshop, day: date, errors: list[str] | None = None):
    return render_template(
        "residentials/register.html",
        workshop=w,
        day=day,
        lines=services.register(w, day),
        marks=list(Mark),
        form=RegisterForm(),
        errors=[{"text": e, "href": "#register"} for e in errors or []],
        today=today(),
    )


@bp.route("/workshops/<int:workshop_id>/register/<day>", methods=["GET", "POST"])
@roles(Role.STAFF)
def register(workshop_id: int, day: str):
    w = _workshop_or_404(workshop_id, staff_only=True)
    d = _day_or_404(w, day)
    form = RegisterForm()
    if request.method == "POST" and form.validate_on_submit():
        marks, seen, problems = form.read(request.form)
        if problems:
            return _register_page(w, d, problems)
        try:
            changed = services.save_register(w, d, _me(), marks, seen, today())
            db.session.commit()
        except ResidentialError as exc:
            db.session.rollback()
            return _register_page(w, d, [str(exc)])
        flash(_saved(changed), "success")
        return redirect(url_for("residentials.register", workshop_id=w.id, day=d.isoformat()))
    return _register_page(w, d)


def _saved(changed: int) -> str:
    if changed == 0:
        return "Register saved. No marks changed."
    return f"Register saved. {changed} mark{'s' if changed != 1 else ''} changed."


@bp.route("/workshops/<int:workshop_id>/register/<day>/all-present", methods=["POST"])
@roles(Role.STAFF)
def mark_all_present(workshop_id: int, day: str):
    w = _workshop_or_404(workshop_id, staff_only=True)
    d = _day_or_404(w, day)
    if ActionForm().validate_on_submit():
        try:
            changed = services.mark_all_present(w, d, _me(), today())
            db.session.commit()
        except ResidentialError as exc:
            db.session.rollback()
            return _register_page(w, d, [str(exc)])
        flash(
            f"{changed} {'person' if changed == 1 else 'people'} marked present."
            if changed
            else "Everyone already has a mark.",
            "success",
        )
    return redirect(url_for("residentials.register", workshop_id=w.id, day=d.isoformat()))


@bp.route("/workshops/<int:workshop_id>/attendance.csv")
@roles(Role.STAFF)
def attendance_csv(workshop_id: int):
    w = _workshop_or_404(workshop_id, staff_only=True)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(services.ATTENDANCE_CSV_HEADER)
    for row in services.attendance_csv_rows(w):
        writer.writerow([safe_cell(v) for v in row])
    name = f"attendance-{w.cohort.name}-workshop-{w.number}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/workshops/<int:workshop_id>/reply", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER)
def reply(workshop_id: int):
    w = _workshop_or_404(workshop_id)
    award = _holder_award_or_404(w)
    reg = db.session.scalar(
        select(Registration).where(
            Registration.workshop_id == w.id, Registration.award_id == award.id
        )
    )
    form = RegistrationForm(obj=reg)
    if request.method == "GET" and reg is not None:
        form.attending.data = YES if reg.attending else NO
    if form.validate_on_submit():
        try:
            services.register_for(
                w,
                award,
                _me(),
                services.RegistrationDetails(
                    attending=form.attending.data == YES,
                    accommodation=_text(form.accommodation),
                    dietary=_text(form.dietary),
                    access=_text(form.access),
                ),
                today(),
            )
            db.session.commit()
        except ResidentialError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash("Thank you. Your reply has been sent to the programme team.", "success")
            return redirect(url_for("residentials.workshop", workshop_id=w.id))
    return render_template("residentials/reply.html", workshop=w, form=form)


@bp.route("/workshops/<int:workshop_id>/apologies", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER)
def apologies(workshop_id: int):
    w = _workshop_or_404(workshop_id)
    award = _holder_award_or_404(w)
    form = ApologiesForm(w.days)
    if form.validate_on_submit():
        try:
            services.send_apologies(
                w,
                award,
                _me(),
                date.fromisoformat(form.day.data),
                _text(form.reason),
                today(),
            )
            db.session.commit()
        except ResidentialError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash("Your apologies have been sent to the programme team.", "success")
            return redirect(url_for("residentials.workshop", workshop_id=w.id))
    return render_template("residentials/apologies.html", workshop=w, form=form)


@register_cards
def _residential_cards(user) -> list[Card]:
    if not user.has_role(Role.STAFF):
        return []
    return [
        Card(
            "Residential workshops",
            "Set up each cohort's workshops and timetables, and keep the registers.",
            url_for("residentials.index"),
        )
    ]


# Award holders find their workshops in the menu; staff from the home page (their menu
# is full).
register_nav(20, "Residentials", "residentials.mine")


# The other residentials pages join the blueprint when this module (which the app
# registers) is loaded; they import `bp` from blueprint.py, never this module.
from app.residentials import (  # noqa: E402, F401
    checkin_views,
    list_views,
    presentation_views,
)
