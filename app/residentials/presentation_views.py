"""Presentation day pages: staff invite, see replies and arrange and publish the running
order; invitees reply (and see the programme) through their emailed link, and see the
published programme when signed in."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.cohorts.models import Cohort
from app.core.access import get_or_404, public, roles
from app.core.clock import today
from app.core.forms import ActionForm
from app.core.mail import deliver_pending
from app.core.roles import Role
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.residentials import presentation, running_order, tokens
from app.residentials.blueprint import bp
from app.residentials.forms import InvitationReplyForm, SlotForm
from app.residentials.models import PresentationDay, PresentationSlot, ProgrammeStatus, Reply
from app.residentials.services import ResidentialError

INVITEES = (Role.PSW, Role.LINE_MANAGER, Role.SUPERVISOR)


def _me() -> User:
    return current_user._get_current_object()


def _back(cohort_id: int, anchor: str = ""):
    return redirect(url_for("residentials.presentation_day", cohort_id=cohort_id) + anchor)


@bp.route("/cohorts/<int:cohort_id>/presentation-day")
@roles(Role.STAFF)
def presentation_day(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    on = presentation.day_of(c.id)
    sent = presentation.invitations(c.id)
    now = today()
    # who is still to invite matters only before the day (the page offers to send them
    # then); after it, working it out cost three queries over the whole cohort for nothing
    waiting = len(presentation.invitees(c.id, on)) - len(sent) if on and on >= now else 0
    return render_template(
        "residentials/presentation_day.html",
        cohort=c,
        day=on,
        record=presentation.record_of(c.id),
        invitations=sent,
        waiting=waiting,
        slots=running_order.slots(c.id),
        replies={r: sum(1 for i in sent if i.reply == r) for r in Reply},
        form=ActionForm(),
        today=now,
    )


def _staff_action(cohort_id: int, act, done) -> object:
    c = get_or_404(Cohort, cohort_id)
    if ActionForm().validate_on_submit():
        try:
            count = act(c)
            db.session.commit()
        except ResidentialError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            deliver_pending()
            flash(done(count), "success")
    return c


@bp.route("/cohorts/<int:cohort_id>/presentation-day/invite", methods=["POST"])
@roles(Role.STAFF)
def send_invitations(cohort_id: int):
    _staff_action(
        cohort_id,
        lambda c: presentation.send_invitations(c, _me(), today()),
        lambda n: (
            f"{n} invitation{'s' if n != 1 else ''} sent."
            if n
            else "Everyone has been invited already."
        ),
    )
    return _back(cohort_id, "#invitations")


@bp.route("/cohorts/<int:cohort_id>/presentation-day/running-order", methods=["POST"])
@roles(Role.STAFF)
def draft_running_order(cohort_id: int):
    _staff_action(
        cohort_id,
        lambda c: running_order.draft_running_order(c, _me()),
        lambda n: (
            f"{n} presentation{'s' if n != 1 else ''} added to the running order."
            if n
            else "Every award holder already has a slot."
        ),
    )
    return _back(cohort_id, "#running-order")


@bp.route("/cohorts/<int:cohort_id>/presentation-day/publish", methods=["POST"])
@roles(Role.STAFF)
def publish_programme(cohort_id: int):
    _staff_action(
        cohort_id,
        lambda c: running_order.publish(c, _me()),
        lambda n: f"Programme published. {n} invitee{'s' if n != 1 else ''} emailed.",
    )
    return _back(cohort_id, "#running-order")


@bp.route("/cohorts/<int:cohort_id>/presentation-day/unpublish", methods=["POST"])
@roles(Role.STAFF)
def unpublish_programme(cohort_id: int):
    _staff_action(
        cohort_id,
        lambda c: running_order.unpublish(c, _me()),
        lambda _n: "Programme withdrawn: invitees no longer see it. Publish it again when ready.",
    )
    return _back(cohort_id, "#running-order")


@bp.route("/presentation-slots/<int:slot_id>/edit", methods=["GET", "POST"])
@roles(Role.STAFF)
def slot_edit(slot_id: int):
    slot = get_or_404(
        PresentationSlot,
        slot_id,
        options=[joinedload(PresentationSlot.day).joinedload(PresentationDay.cohort)],
    )
    form = SlotForm(obj=slot)
    if form.validate_on_submit():
        try:
            running_order.change_slot(
                slot, _me(), form.starts_at.value, form.ends_at.value, form.title.data or ""
            )
            db.session.commit()
        except ResidentialError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash(f"{slot.award.holder.name}'s presentation changed.", "success")
            return _back(slot.day.cohort_id, "#running-order")
    return render_template("residentials/slot_form.html", slot=slot, form=form)


@bp.route("/presentation/<token>", methods=["GET", "POST"])
@public
def invitation(token: str):
    """The invitee's link: reply, and the programme once it is published."""
    try:
        inv, count = presentation.read_link(token)
    except ResidentialError as exc:
        return _link_refused(str(exc))
    refusal = presentation.link_refusal(inv, count, today())
    if refusal:
        return _link_refused(refusal)
    form = InvitationReplyForm()
    if form.validate_on_submit():
        try:
            presentation.reply(inv, count, Reply(form.reply.data), today())
            db.session.commit()
        except ResidentialError as exc:
            db.session.rollback()
            return _link_refused(str(exc))
        deliver_pending()
        flash("Thank you. Your reply has been sent to the programme team.", "success")
        return redirect(
            url_for(
                "residentials.invitation",
                token=tokens.invitation_token(inv.id, inv.reply_count),
            )
        )
    if not form.is_submitted() and inv.reply != Reply.WAITING:
        form.reply.data = inv.reply.value
    record = presentation.record_of(inv.cohort_id)
    published = record is not None and record.status == ProgrammeStatus.PUBLISHED
    return render_template(
        "residentials/invitation.html",
        invitation=inv,
        day=presentation.day_of(inv.cohort_id),
        slots=running_order.slots(inv.cohort_id) if published else [],
        published=published,
        form=form,
    )


def _link_refused(message: str):
    return render_template("residentials/invitation_refused.html", message=message), 400


@bp.route("/presentation-days")
@roles(*INVITEES)
def my_presentation_days():
    return render_template(
        "residentials/presentation_days.html",
        rows=presentation.invitations_of(_me()),
        today=today(),
    )


@bp.route("/presentation-days/<int:cohort_id>")
@roles(Role.STAFF, *INVITEES)
def programme(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    if not presentation.can_see_programme(_me(), c.id):
        abort(404)
    return render_template(
        "residentials/programme.html",
        cohort=c,
        day=presentation.day_of(c.id),
        record=presentation.record_of(c.id),
        slots=running_order.slots(c.id),
    )


@register_cards
def _presentation_cards(user) -> list[Card]:
    if user.has_role(Role.STAFF) or not user.has_role(*INVITEES):
        return []
    return [
        Card(
            "Presentation days",
            "The award holders' presentation days you are invited to, and their programmes.",
            url_for("residentials.my_presentation_days"),
        )
    ]
