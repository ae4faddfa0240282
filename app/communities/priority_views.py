"""Priority setting (members only): rounds, topics, votes and ranked results;
facilitators open and close rounds; staff start a community from a closed round's
topic."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.communities import priorities as svc
from app.communities.blueprint import bp
from app.communities.forms import RoundForm, StartCommunityForm, TopicForm
from app.communities.loading import (
    FAILED,
    attempt,
    community_or_404,
    facilitator_or_404,
    me,
    member_or_404,
)
from app.communities.models import PriorityRound, PriorityTopic, RoundStatus
from app.communities.services import CommunityError
from app.core.access import get_or_404, roles, signed_in
from app.core.forms import ActionForm
from app.core.roles import Role
from app.extensions import db


@bp.route("/<int:community_id>/priorities", methods=["GET", "POST"])
@signed_in
def priorities(community_id: int):
    c, m = member_or_404(community_id)
    form = RoundForm()
    if m.facilitator and form.validate_on_submit():
        r = attempt(lambda: svc.open_round(c, me(), form.title.data), form=form)
        if r is not FAILED:
            flash("The round is open: members can propose topics and vote.", "success")
            return redirect(url_for("communities.round", round_id=r.id))
    rounds = list(
        db.session.scalars(
            select(PriorityRound)
            .where(PriorityRound.community_id == c.id)
            .order_by(PriorityRound.opened_at.desc(), PriorityRound.id.desc())
        )
    )
    return render_template(
        "communities/priorities.html", community=c, me_member=m, rounds=rounds, form=form
    ), (400 if request.method == "POST" else 200)


def _round_or_404(round_id: int):
    r = get_or_404(PriorityRound, round_id)
    c, m = member_or_404(r.community_id)
    return c, m, r


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
@signed_in
def round(round_id: int):
    c, m, r = _round_or_404(round_id)
    form = TopicForm()
    if form.validate_on_submit():
        result = attempt(
            lambda: svc.propose(r, m, form.title.data, form.description.data or ""), form=form
        )
        if result is not FAILED:
            flash("Topic added. Members can vote for it.", "success")
            return redirect(url_for("communities.round", round_id=r.id))
    return render_template(
        "communities/round.html",
        community=c,
        me_member=m,
        round=r,
        results=svc.results(r),
        voted=svc.my_votes(r, m),
        form=form,
        action_form=ActionForm(),
        staff=me().has_role(Role.STAFF),
    ), (400 if request.method == "POST" else 200)


@bp.route("/topics/<int:topic_id>/vote", methods=["POST"])
@signed_in
def vote(topic_id: int):
    topic = get_or_404(PriorityTopic, topic_id)
    _c, m, r = _round_or_404(topic.round_id)
    if not ActionForm().validate_on_submit():
        flash("Your vote was not counted. Try again.", "error")
        return redirect(url_for("communities.round", round_id=r.id)), 400
    try:
        svc.vote(topic, m)
        db.session.commit()
    except CommunityError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("communities.round", round_id=r.id)), 400
    flash(f"Vote counted for {topic.title}.", "success")
    return redirect(url_for("communities.round", round_id=r.id))


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@signed_in
def close_round(round_id: int):
    r = get_or_404(PriorityRound, round_id)
    facilitator_or_404(r.community_id)
    if ActionForm().validate_on_submit():
        attempt(lambda: svc.close_round(r, me()), "The round is closed. The results are final.")
    return redirect(url_for("communities.round", round_id=r.id))


@bp.route("/topics/<int:topic_id>/start", methods=["GET", "POST"])
@roles(Role.STAFF)
def start_from_topic(topic_id: int):
    """Staff start a community from a closed round's topic (they need not be members)."""
    topic = get_or_404(PriorityTopic, topic_id, lambda t: t.round.status == RoundStatus.CLOSED)
    source = community_or_404(topic.round.community_id)
    form = StartCommunityForm()
    if form.validate_on_submit():
        c = attempt(
            lambda: svc.start_community(
                topic, me(), form.name.data, form.description.data, form.rules.data
            ),
            form=form,
        )
        if c is not FAILED:
            flash(f"{c.name} has started from the priority '{topic.title}'.", "success")
            return redirect(url_for("communities.community", community_id=c.id))
    elif request.method == "GET":
        form.name.data = topic.title[:120]
        if source.current_rules:
            form.rules.data = source.current_rules.text
    return render_template("communities/start.html", topic=topic, source=source, form=form), (
        400 if request.method == "POST" else 200
    )
