"""Bridging pages: an alumnus's pathway tracker (they edit it; their line manager, PSW,
supervisor and staff read it), review slots staff publish and alumni book, and the
pipeline for staff. Someone else's pathway or booking is a 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.awards.models import Award
from app.awards.services import latest_award
from app.bridging import services
from app.bridging.blueprint import bp
from app.bridging.forms import SlotForm, StepForm
from app.bridging.models import PathwayStep, ReviewSlot, Stage, StepKind
from app.bridging.services import BridgingError, StepData
from app.core.access import get_or_404, roles
from app.core.clock import today
from app.core.db import utcnow
from app.core.forms import ActionForm
from app.core.mail import deliver_pending
from app.core.roles import Role
from app.extensions import db
from app.impact import policy

READERS = (Role.STAFF, Role.AWARD_HOLDER, Role.LINE_MANAGER, Role.PSW, Role.SUPERVISOR)


def _me():
    return current_user._get_current_object()


def _own_award() -> Award | None:
    return latest_award(_me().id)


def award_or_404(award_id: int) -> Award:
    me = _me()
    return get_or_404(
        Award,
        award_id,
        lambda a: policy.can_view(me, a),
        options=[joinedload(Award.cohort), joinedload(Award.holder)],
    )


@bp.route("/")
@roles(Role.AWARD_HOLDER, Role.STAFF)
def index():
    if _me().has_role(Role.STAFF):
        return render_template(
            "bridging/staff.html", pipeline=services.pipeline(), stages=list(Stage)
        )
    award = _own_award()
    if award is None:
        return render_template("bridging/none.html")
    return redirect(url_for("bridging.pathway", award_id=award.id))


@bp.route("/awards/<int:award_id>")
@roles(*READERS)
def pathway(award_id: int):
    a = award_or_404(award_id)
    holder = policy.is_holder(_me(), a)
    booked = list(
        db.session.scalars(
            select(ReviewSlot)
            .where(ReviewSlot.booked_award_id == a.id, ReviewSlot.starts_at > utcnow())
            .order_by(ReviewSlot.starts_at)
        )
    )
    return render_template(
        "bridging/pathway.html",
        award=a,
        steps=services.steps_for(a),
        booked=booked,
        is_holder=holder,
    )


def _data(form: StepForm) -> StepData:
    return StepData(
        kind=StepKind(form.kind.data),
        stage=Stage(form.stage.data),
        mentor=(form.mentor.data or "").strip(),
        started_on=form.started_on.data,
        deadline=form.deadline.data,
    )


@bp.route("/awards/<int:award_id>/steps/new", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER)
def add_step(award_id: int):
    a = award_or_404(award_id)
    if not policy.is_holder(_me(), a):
        abort(404)
    form = StepForm()
    if form.validate_on_submit():
        try:
            services.add_step(a, _me(), _data(form), today())
            db.session.commit()
        except BridgingError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash("Added to your next steps.", "success")
            return redirect(url_for("bridging.pathway", award_id=a.id))
    status = 400 if request.method == "POST" else 200
    return render_template("bridging/step.html", form=form, award=a, step=None), status


@bp.route("/steps/<int:step_id>", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER)
def edit_step(step_id: int):
    me = _me()
    step = get_or_404(
        PathwayStep,
        step_id,
        lambda s: policy.is_holder(me, s.award),
        options=[joinedload(PathwayStep.award)],
    )
    form = StepForm(obj=step, data={"expected": step.stage.value})
    if request.method == "GET":
        form.kind.data, form.stage.data = step.kind.value, step.stage.value
    if form.validate_on_submit():
        try:
            expected = Stage(form.expected.data)
        except ValueError:
            expected = None
        try:
            services.update_step(step, me, expected, _data(form), today())
            db.session.commit()
        except BridgingError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
            form.expected.data = step.stage.value  # what it is now: saving again applies
        else:
            flash("Saved.", "success")
            return redirect(url_for("bridging.pathway", award_id=step.award_id))
    status = 400 if request.method == "POST" else 200
    return render_template("bridging/step.html", form=form, award=step.award, step=step), status


# --- review slots ---------------------------------------------------------------------


@bp.route("/reviews")
@roles(Role.AWARD_HOLDER, Role.STAFF)
def slots():
    award = _own_award()
    return render_template(
        "bridging/slots.html",
        slots=services.open_slots(utcnow()),
        award=award,
        staff=_me().has_role(Role.STAFF),
        action_form=ActionForm(),
    )


@bp.route("/reviews/new", methods=["GET", "POST"])
@roles(Role.STAFF)
def new_slot():
    form = SlotForm()
    if form.validate_on_submit():
        try:
            services.add_slot(
                _me(),
                services.london_to_utc(form.day.data, form.at.value),
                form.minutes.data,
                form.reviewer.data or "",
                form.where.data or "",
                form.notes.data or "",
            )
            db.session.commit()
        except BridgingError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash("Published: alumni can book it.", "success")
            return redirect(url_for("bridging.slots"))
    status = 400 if request.method == "POST" else 200
    return render_template("bridging/new_slot.html", form=form), status


def _slot_action(slot_id: int, act):
    award = _own_award()
    if award is None:
        abort(404)
    slot = get_or_404(ReviewSlot, slot_id)
    if ActionForm().validate_on_submit():
        try:
            act(slot, award, _me())
            db.session.commit()
        except BridgingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("bridging.slots"))
        deliver_pending()
        return None
    return redirect(url_for("bridging.slots"))


@bp.route("/reviews/<int:slot_id>/book", methods=["POST"])
@roles(Role.AWARD_HOLDER)
def book(slot_id: int):
    done = _slot_action(slot_id, services.book)
    if done is not None:
        return done
    flash("Booked. The reviewer expects your draft application a week before.", "success")
    return redirect(url_for("bridging.slots"))


@bp.route("/reviews/<int:slot_id>/cancel", methods=["POST"])
@roles(Role.AWARD_HOLDER)
def cancel(slot_id: int):
    done = _slot_action(slot_id, services.cancel)
    if done is not None:
        return done
    flash("Your booking is cancelled: the review is open to others again.", "success")
    return redirect(url_for("bridging.slots"))
