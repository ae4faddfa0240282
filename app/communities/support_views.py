"""Research idea feedback and involvement support (members only), and the involvement
payments programme staff record and mark paid."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.communities import support as svc
from app.communities.blueprint import bp
from app.communities.forms import PaymentForm, SupportForm, TimeForm
from app.communities.loading import FAILED, attempt, me, member_or_404
from app.communities.models import CommunityMember, SupportKind, SupportRequest, SupportVolunteer
from app.core.access import get_or_404, roles, signed_in
from app.core.clock import today
from app.core.forms import ActionForm
from app.core.roles import Role
from app.extensions import db


@bp.route("/<int:community_id>/support", methods=["GET", "POST"])
@signed_in
def support(community_id: int):
    c, m = member_or_404(community_id)
    form = SupportForm()
    if form.validate_on_submit():
        req = attempt(
            lambda: svc.ask(
                c,
                m,
                SupportKind(form.kind.data),
                form.title.data,
                form.description.data,
                form.deadline.data,
                today(),
                bool(form.funded.data),
            ),
            form=form,
        )
        if req is not FAILED:
            flash("Your request is posted. Members can offer to help.", "success")
            return redirect(url_for("communities.support_request", request_id=req.id))
    requests = list(
        db.session.scalars(
            select(SupportRequest)
            .where(SupportRequest.community_id == c.id)
            .options(
                selectinload(SupportRequest.volunteers),
                joinedload(SupportRequest.requester).joinedload(CommunityMember.user),
            )
            .order_by(SupportRequest.deadline.desc(), SupportRequest.id.desc())
        )
    )
    return render_template(
        "communities/support.html",
        community=c,
        me_member=m,
        requests=requests,
        today=today(),
        form=form,
    ), (400 if request.method == "POST" else 200)


def _request_or_404(request_id: int):
    req = get_or_404(
        SupportRequest,
        request_id,
        options=[
            selectinload(SupportRequest.volunteers)
            .joinedload(SupportVolunteer.member)
            .joinedload(CommunityMember.user)
        ],
    )
    c, m = member_or_404(req.community_id)
    return c, m, req


@bp.route("/support/<int:request_id>")
@signed_in
def support_request(request_id: int):
    c, m, req = _request_or_404(request_id)
    mine = next((v for v in req.volunteers if v.member_id == m.id), None)
    return render_template(
        "communities/support_request.html",
        community=c,
        me_member=m,
        req=req,
        mine=mine,
        can_volunteer=mine is None
        and req.requester_id != m.id
        and len(req.volunteers) < svc.MAX_VOLUNTEERS
        and req.deadline >= today(),
        time_form=TimeForm(),
        action_form=ActionForm(),
    )


@bp.route("/support/<int:request_id>/volunteer", methods=["POST"])
@signed_in
def volunteer(request_id: int):
    _c, m, req = _request_or_404(request_id)
    if ActionForm().validate_on_submit():
        attempt(
            lambda: svc.volunteer(req, m, today()),
            "Thank you for offering to help. Log your time as you go.",
        )
    return redirect(url_for("communities.support_request", request_id=req.id))


@bp.route("/support/volunteers/<int:volunteer_id>/time", methods=["POST"])
@signed_in
def log_time(volunteer_id: int):
    v = get_or_404(SupportVolunteer, volunteer_id)
    _c, m, req = _request_or_404(v.request_id)
    form = TimeForm()
    if v.member_id != m.id:
        return redirect(url_for("communities.support_request", request_id=req.id))
    if form.validate_on_submit():
        attempt(lambda: svc.log_time(v, m, form.minutes.data), "Time logged.")
    else:
        flash(form.error_list()[0]["text"], "error")
    return redirect(url_for("communities.support_request", request_id=req.id))


@bp.route("/support/volunteers/<int:volunteer_id>/payment", methods=["POST"])
@roles(Role.STAFF)
def record_payment(volunteer_id: int):
    v = get_or_404(SupportVolunteer, volunteer_id, options=[joinedload(SupportVolunteer.request)])
    form = PaymentForm()
    if form.validate_on_submit():
        attempt(lambda: svc.record_payment(v, me(), form.amount.data), "Payment recorded.")
    else:
        flash(form.error_list()[0]["text"], "error")
    return redirect(url_for("communities.report_page") + "#payments")


@bp.route("/support/volunteers/<int:volunteer_id>/paid", methods=["POST"])
@roles(Role.STAFF)
def mark_paid(volunteer_id: int):
    v = get_or_404(SupportVolunteer, volunteer_id)
    if ActionForm().validate_on_submit():
        attempt(lambda: svc.mark_paid(v, me()), "Marked as paid.")
    return redirect(url_for("communities.report_page") + "#payments")
