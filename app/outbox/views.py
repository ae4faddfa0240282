"""Programme staff read the email outbox (every message the service has sent or held)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from app.core.access import get_or_404, roles
from app.core.mail import MailStatus, OutboxMessage
from app.core.pagination import paginate, parse_page
from app.core.params import arg_choice, arg_str
from app.core.roles import Role

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
        "outbox/list.html", page=page, to=to, status=status, statuses=list(MailStatus)
    )


@bp.route("/<int:message_id>")
@roles(Role.STAFF)
def message_detail(message_id: int):
    msg = get_or_404(OutboxMessage, message_id)
    return render_template("outbox/detail.html", msg=msg)
