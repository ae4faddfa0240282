"""Loading a community and the signed-in person's place in it, for every view module:
a members' page for someone who is not a member is a 404, so it says nothing."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.communities import policy
from app.communities.models import Community, CommunityMember
from app.core.access import get_or_404


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
