"""Programme staff read the email outbox (every message the service has sent or held),
see failed mail on their home page, and send it again."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.core.access import get_or_404, roles
from app.core.forms import ActionForm
from app.core.mail import MailStatus, OutboxMessage, deliver_pending, failed_count
from app.core.pagination import paginate, parse_page
from app.core.params import arg_choice, arg_str
from app.core.roles import Role
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.outbox import services

bp = Blueprint("outbox", __name__, url_prefix="/outbox")


@bp.route("/")
@roles(Role.STAFF)
def message_list():
    to = arg_str("to", 254).lower()
    status = arg_choice("status", [s.value for s in MailStatus])
    stmt = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if to:
        stmt = stmt.where(OutboxMessage.to_address.like(f"%{to}%"))
    if status:
        stmt = stmt.where(OutboxMessage.status == MailStatus(status))
    page = paginate(stmt, parse_page(request.args.get("page")), current_app.config["PER_PAGE"])
    return render_template(
        "outbox/list.html",
        page=page,
        to=to,
        status=status,
        statuses=list(MailStatus),
        failed=failed_count(),
    )


@bp.route("/<int:message_id>")
@roles(Role.STAFF)
def message_detail(message_id: int):
    msg = get_or_404(OutboxMessage, message_id)
    return render_template("outbox/detail.html", msg=msg, action_form=ActionForm())


@bp.route("/<int:message_id>/send-again", methods=["POST"])
@roles(Role.STAFF)
def send_again(message_id: int):
    msg = get_or_404(OutboxMessage, message_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.send_again(msg, current_user._get_current_object())
        except services.SendAgainRefused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            deliver_pending()
            flash(f"The email to {msg.to_address} is queued to be sent again.", "success")
    return redirect(url_for("outbox.message_detail", message_id=message_id))


@register_cards
def _failed_mail_card(user) -> list[Card]:
    if not user.has_role(Role.STAFF):
        return []
    failed = failed_count()
    if not failed:
        return []
    return [
        Card(
            f"{failed} email{'s' if failed != 1 else ''} could not be sent",
            "The mail server refused them or was down for every retry. See why and send "
            "them again.",
            url_for("outbox.message_list", status=MailStatus.FAILED.value),
            waiting=failed,
        )
    ]
