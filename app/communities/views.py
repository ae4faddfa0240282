"""Community pages: the list, a community's front page (anyone signed in), asking to
join, what a member shows, leaving, the members list (members only; facilitators
approve requests), new ground rules, and staff starting a community and appointing
facilitators."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from app.communities import policy, services
from app.communities.blueprint import bp
from app.communities.forms import CommunityForm, JoinForm, ProfileForm, RulesForm
from app.communities.loading import (
    FAILED,
    attempt,
    community_or_404,
    facilitator_or_404,
    me,
    member_or_404,
    profile_from,
)
from app.communities.models import Community, CommunityMember, MemberStatus
from app.core.access import get_or_404, roles, signed_in
from app.core.forms import ActionForm
from app.core.roles import Role
from app.extensions import db


def _status(code_ok: bool) -> int:
    return 200 if code_ok else 400


@bp.route("/")
@signed_in
def index():
    user = me()
    counts = dict(
        db.session.execute(
            select(CommunityMember.community_id, func.count())
            .where(CommunityMember.status == MemberStatus.MEMBER)
            .group_by(CommunityMember.community_id)
        ).all()
    )
    mine = {
        m.community_id: m
        for m in db.session.scalars(
            select(CommunityMember).where(CommunityMember.user_id == user.id)
        )
    }
    communities = list(db.session.scalars(select(Community).order_by(Community.name)))
    return render_template(
        "communities/index.html",
        communities=communities,
        counts=counts,
        mine=mine,
        staff=policy.is_staff(user),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.STAFF)
def new():
    form = CommunityForm()
    if form.validate_on_submit():
        c = attempt(
            lambda: services.create_community(
                me(), form.name.data, form.theme.data, form.description.data, form.rules.data
            ),
            form=form,
        )
        if c is not FAILED:
            flash(f"{c.name} has started. Appoint its facilitators once they join.", "success")
            return redirect(url_for("communities.community", community_id=c.id))
    return render_template("communities/new.html", form=form), _status(request.method == "GET")


@bp.route("/<int:community_id>")
@signed_in
def community(community_id: int):
    c = community_or_404(community_id)
    m = policy.membership(me(), c.id)
    facilitators = [f for f in services.members_of(c) if f.facilitator]
    return render_template(
        "communities/community.html",
        community=c,
        me_member=m,
        is_member=policy.is_member(m),
        can_join=policy.can_ask_to_join(m),
        can_manage=policy.can_manage(me(), c),
        facilitators=facilitators,
        action_form=ActionForm(),
    )


@bp.route("/<int:community_id>/join", methods=["GET", "POST"])
@signed_in
def join(community_id: int):
    c = community_or_404(community_id)
    m = policy.membership(me(), c.id)
    if not policy.can_ask_to_join(m):
        flash(
            "You are already a member."
            if policy.is_member(m)
            else "You have already asked to join. A facilitator will decide soon.",
            "info",
        )
        return redirect(url_for("communities.community", community_id=c.id))
    form = JoinForm(data={"show": ["name", "role"], "digest": True})
    if form.validate_on_submit():
        raw = form.rules_version.data or ""
        version = int(raw) if raw.isdigit() and len(raw) < 9 else 0
        result = attempt(
            lambda: services.ask_to_join(
                c, me(), profile_from(form), bool(form.accept.data), version
            ),
            form=form,
        )
        if result is not FAILED:
            flash("Thank you. A facilitator will look at your request soon.", "success")
            return redirect(url_for("communities.community", community_id=c.id))
    form.rules_version.data = c.rules_version
    return render_template("communities/join.html", community=c, form=form), _status(
        request.method == "GET"
    )


@bp.route("/<int:community_id>/me", methods=["GET", "POST"])
@signed_in
def profile(community_id: int):
    c, m = member_or_404(community_id)
    shown = [
        k
        for k, on in (
            ("name", m.show_name),
            ("role", m.show_role),
            ("organisation", m.show_organisation),
        )
        if on
    ]
    form = ProfileForm(
        data={
            "background": m.background.value,
            "role_text": m.role_text,
            "organisation_text": m.organisation_text,
            "show": shown,
            "digest": m.digest,
        }
    )
    if form.validate_on_submit():
        result = attempt(lambda: services.update_profile(m, me(), profile_from(form)), form=form)
        if result is not FAILED:
            flash("Saved. Other members see what you chose.", "success")
            return redirect(url_for("communities.members", community_id=c.id))
    return render_template(
        "communities/profile.html", community=c, member=m, form=form, action_form=ActionForm()
    ), _status(request.method == "GET")


@bp.route("/<int:community_id>/rules/accept", methods=["POST"])
@signed_in
def accept_rules(community_id: int):
    c, m = member_or_404(community_id)
    if ActionForm().validate_on_submit():
        raw = request.form.get("version", "")
        version = int(raw) if raw.isdigit() and len(raw) < 9 else 0
        attempt(
            lambda: services.accept_rules(m, me(), version),
            "Thank you for accepting the new ground rules.",
        )
    return redirect(url_for("communities.community", community_id=c.id))


@bp.route("/<int:community_id>/leave", methods=["POST"])
@signed_in
def leave(community_id: int):
    c = community_or_404(community_id)
    m = policy.membership(me(), c.id)
    if m is None:
        abort(404)
    if ActionForm().validate_on_submit():
        attempt(
            lambda: services.leave(m, me()),
            f"You have left {c.name}. You can ask to join again at any time.",
        )
    return redirect(url_for("communities.community", community_id=c.id))


@bp.route("/<int:community_id>/members")
@signed_in
def members(community_id: int):
    c, m = member_or_404(community_id)
    return render_template(
        "communities/members.html",
        community=c,
        me_member=m,
        members=services.members_of(c),
        requests=services.members_of(c, MemberStatus.REQUESTED) if m.facilitator else [],
        action_form=ActionForm(),
    )


def _decide(community_id: int, member_id: int, approve: bool):
    c, _f = facilitator_or_404(community_id)
    m = get_or_404(CommunityMember, member_id, lambda x: x.community_id == c.id)
    if ActionForm().validate_on_submit():
        attempt(
            lambda: services.decide(m, me(), approve),
            f"{m.user.name} is {'now a member' if approve else 'not approved'}.",
        )
    return redirect(url_for("communities.members", community_id=c.id))


@bp.route("/<int:community_id>/members/<int:member_id>/approve", methods=["POST"])
@signed_in
def approve(community_id: int, member_id: int):
    return _decide(community_id, member_id, True)


@bp.route("/<int:community_id>/members/<int:member_id>/decline", methods=["POST"])
@signed_in
def decline(community_id: int, member_id: int):
    return _decide(community_id, member_id, False)


@bp.route("/<int:community_id>/members/<int:member_id>/facilitator", methods=["POST"])
@roles(Role.STAFF)
def facilitator(community_id: int, member_id: int):
    c = community_or_404(community_id)
    m = get_or_404(CommunityMember, member_id, lambda x: x.community_id == c.id)
    if ActionForm().validate_on_submit():
        on = request.form.get("on") == "1"
        attempt(
            lambda: services.set_facilitator(m, me(), on),
            f"{m.user.name} is {'now' if on else 'no longer'} a facilitator.",
        )
    return redirect(url_for("communities.manage", community_id=c.id))


@bp.route("/<int:community_id>/manage", methods=["GET", "POST"])
@signed_in
def manage(community_id: int):
    """New ground rules (staff and facilitators); staff also appoint facilitators here."""
    c = community_or_404(community_id)
    if not policy.can_manage(me(), c):
        abort(404)
    form = RulesForm()
    if form.validate_on_submit():
        result = attempt(lambda: services.new_rules(c, me(), form.rules.data), form=form)
        if result is not FAILED:
            flash("The new ground rules are in place. Members are asked to accept them.", "success")
            return redirect(url_for("communities.community", community_id=c.id))
    elif request.method == "GET" and c.current_rules:
        form.rules.data = c.current_rules.text
    return render_template(
        "communities/manage.html",
        community=c,
        form=form,
        staff=policy.is_staff(me()),
        members=services.members_of(c) if policy.is_staff(me()) else [],
        action_form=ActionForm(),
    ), _status(request.method == "GET")
