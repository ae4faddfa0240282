"""A community member's own calendar address (issue 19): every meeting and training
session of their communities in Outlook or Google Calendar. Any member may have one,
whatever their role (carers, researchers, people with lived experience...); the address
is the same mechanism as the award holder's research-days feed (app.release.calendar):
a secret shown once, only its hash kept, replaced or turned off here."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app.communities.blueprint import bp
from app.communities.calendar import build_member_calendar
from app.communities.loading import me
from app.core.access import public, signed_in
from app.core.forms import ActionForm
from app.core.roles import Role
from app.extensions import db
from app.release import calendar
from app.release.services import ReleaseError

SCOPE = calendar.COMMUNITIES


def _member_or_404():
    user = me()
    if not calendar.can_have_feed(user, SCOPE):
        abort(404)  # not a member of any community: nothing to subscribe to
    return user


def _page(user, new_url: str | None = None):
    return render_template(
        "communities/calendar.html",
        feed=calendar.active_feed(user, SCOPE),
        new_url=new_url,
        # their research-days calendar already carries these meetings: say so
        holder_feed=user.has_role(Role.AWARD_HOLDER),
        action_form=ActionForm(),
    )


@bp.route("/calendar")
@signed_in
def calendar_page():
    return _page(_member_or_404())


@bp.route("/calendar/new", methods=["POST"])
@signed_in
def calendar_create():
    user = _member_or_404()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        secret = calendar.create_feed(user, SCOPE)
    except ReleaseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("communities.calendar_page"))
    db.session.commit()
    # shown once, on this page: only its hash is kept
    return _page(user, new_url=calendar.feed_url(secret, SCOPE))


@bp.route("/calendar/revoke", methods=["POST"])
@signed_in
def calendar_revoke():
    user = _member_or_404()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        calendar.revoke_feed(user, SCOPE)
        db.session.commit()
    except ReleaseError as exc:
        db.session.rollback()
        flash(str(exc), "info")
    else:
        flash(calendar.REVOKED, "success")
    return redirect(url_for("communities.calendar_page"))


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str):
    """The secret is the credential: no session; 404 unless it is live and its owner is
    still a member of a community."""
    feed = calendar.find_feed(token, scopes=(SCOPE,))
    if feed is None:
        abort(404)
    return calendar.ics_response(
        build_member_calendar(feed.user_id, calendar.feed_host()), "communities.ics"
    )
