"""Loading a community and the signed-in person's place in it, for every view module:
a members' page for someone who is not a member is a 404, so it says nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash
from flask_login import current_user

from app.communities import policy
from app.communities.models import Community, CommunityMember
from app.communities.services import CommunityError
from app.core.access import get_or_404
from app.extensions import db


def me():
    return current_user._get_current_object()


def community_or_404(community_id: int) -> Community:
    return get_or_404(Community, community_id)


def member_or_404(community_id: int) -> tuple[Community, CommunityMember]:
    community = community_or_404(community_id)
    m = policy.membership(me(), community.id)
    if not policy.is_member(m):
        abort(404)
    return community, m


def facilitator_or_404(community_id: int) -> tuple[Community, CommunityMember]:
    community, m = member_or_404(community_id)
    if not m.facilitator:
        abort(404)
    return community, m


def profile_from(form):
    from app.communities.models import Background
    from app.communities.services import Profile

    shown = set(form.show.data or [])
    return Profile(
        background=Background(form.background.data),
        role_text=form.role_text.data or "",
        organisation_text=form.organisation_text.data or "",
        show_name="name" in shown,
        show_role="role" in shown,
        show_organisation="organisation" in shown,
        digest=bool(form.digest.data),
    )


FAILED = object()


def attempt(call, success: str | Callable[[Any], str] = "", form=None) -> Any:
    """Run a service call and commit. A refusal rolls back and is shown, against the
    form's field when there is a form, else as a message; then FAILED is returned."""
    try:
        result = call()
        db.session.commit()
    except CommunityError as exc:
        db.session.rollback()
        if form is not None:
            form.add_error(exc.field, str(exc))
        else:
            flash(str(exc), "error")
        return FAILED
    if success:
        flash(success(result) if callable(success) else success, "success")
    return result
