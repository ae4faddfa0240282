"""QR check-in: staff put up a code at the venue for one workshop day; an award holder of
the cohort scans it, signs in if need be, and confirms. The mark goes through the register
(and so into the ledger); the register shows it came from the code and staff can change
it like any other mark."""

from __future__ import annotations

from datetime import date

import segno
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.core.access import get_or_404, roles
from app.core.clock import today
from app.core.forms import ActionForm
from app.core.mail import external_url
from app.core.roles import Role
from app.extensions import db
from app.residentials import register, services, tokens
from app.residentials.blueprint import bp
from app.residentials.models import Workshop
from app.residentials.services import ResidentialError


def _me() -> User:
    return current_user._get_current_object()


@bp.route("/workshops/<int:workshop_id>/check-in/<day>")
@roles(Role.STAFF)
def checkin_code(workshop_id: int, day: str):
    w = get_or_404(Workshop, workshop_id, options=[joinedload(Workshop.cohort)])
    try:
        d = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if d not in w.days:
        abort(404)
    url = external_url("residentials.check_in", token=tokens.check_in_token(w.id, d, _me().id))
    qr = segno.make(url, error="m").svg_inline(
        scale=8, omitsize=True, dark="#212b32", title=f"QR code for checking in on {d.isoformat()}"
    )
    return render_template("residentials/checkin_code.html", workshop=w, day=d, qr=qr, url=url)


def _read(token: str):
    """The workshop, day and member of staff the code names; a code this service did not
    make (or for a workshop since removed) is the same refusal."""
    try:
        code = tokens.read_check_in(token)
    except tokens.BadToken:
        return None
    w = db.session.get(Workshop, code.workshop_id, options=[joinedload(Workshop.cohort)])
    staff = db.session.get(User, code.shown_by_id)
    return (w, code.day, staff) if w is not None else None


@bp.route("/check-in/<token>", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER)
def check_in(token: str):
    found = _read(token)
    if found is None:
        return _refused("This code is not valid. Ask the programme team for today's code.")
    w, d, shown_by = found
    award = services.holder_award(_me(), w.cohort_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            register.check_in(w, d, award, _me(), shown_by, today())
            db.session.commit()
        except ResidentialError as exc:
            db.session.rollback()
            return _refused(str(exc))
        flash(f"You are signed in for {w.title.lower()} today. Welcome.", "success")
        return redirect(url_for("residentials.workshop", workshop_id=w.id))
    refusal = register.check_in_refusal(w, d, award, shown_by, today())
    if refusal:
        return _refused(refusal)
    return render_template("residentials/check_in.html", workshop=w, day=d, form=form)


def _refused(message: str):
    return render_template("residentials/check_in_refused.html", message=message), 400
