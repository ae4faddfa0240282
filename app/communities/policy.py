"""Who may do what in a community: the `can_<verb>` rules in one place. Anyone signed in
reads a community's front page and may ask to join; only approved members read the
workspace, meetings (and their joining links), priorities and support requests;
facilitators approve members, hide posts and run meetings and rounds; programme staff
start communities, appoint facilitators, record involvement payments and read the
report. Views answer 404 when a rule fails, so ids say nothing to non-members."""

from __future__ import annotations

from sqlalchemy import select

from app.communities.models import Community, CommunityMember, MemberStatus
from app.core.roles import Role
from app.extensions import db


def membership(user, community_id: int) -> CommunityMember | None:
    """The person's row for this community, whatever its status."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(CommunityMember).where(
            CommunityMember.community_id == community_id, CommunityMember.user_id == user.id
        )
    )


def is_member(m: CommunityMember | None) -> bool:
    return m is not None and m.status == MemberStatus.MEMBER


def is_facilitator(m: CommunityMember | None) -> bool:
    return is_member(m) and m.facilitator


def is_staff(user) -> bool:
    return user.has_role(Role.STAFF)


def can_ask_to_join(m: CommunityMember | None) -> bool:
    """Anyone not already a member or waiting; someone who left or was not approved may
    ask again."""
    return m is None or m.status in (MemberStatus.LEFT, MemberStatus.DECLINED)


def can_see_access_requests(m: CommunityMember | None) -> bool:
    """Members' accessibility requests for a meeting (captions, a speaking aid, a text
    reader, a support visit, their note) are special category (issue 20): the member
    sees their own; of the others, only the facilitators of that community, who arrange
    them. A line manager or PSW never sees them as such, only if they facilitate the
    community. (Programme staff see them through a copy of the person's data.)"""
    return is_facilitator(m)


def can_manage(user, community: Community) -> bool:
    """Change the ground rules: staff, or the community's facilitators."""
    return is_staff(user) or is_facilitator(membership(user, community.id))
