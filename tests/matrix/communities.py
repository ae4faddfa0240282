"""Access matrix: communities of practice. Anyone signed in reads the list and a
community's front page and may ask to join; members' pages (workspace, meetings,
priorities, support, members) are a 404 to everyone who is not a member (no role makes
someone a member); staff start communities, manage facilitators, read the report and
record involvement payments."""

from __future__ import annotations

from app.core.roles import Role
from tests.matrix import ALL, STAFF, Page

MEMBERS = ALL  # reached by any signed-in person's role...
NOT_MEMBERS = ALL  # ...and a 404 for every one of them: none of them is a member

PAGES = {
    "communities.index": Page("/communities/", ALL),
    "communities.new": Page("/communities/new", STAFF),
    "communities.community": Page("/communities/{cop_id}", ALL),
    "communities.join": Page("/communities/{cop_id}/join", ALL),
    "communities.profile": Page("/communities/{cop_id}/me", ALL, NOT_MEMBERS),
    "communities.members": Page("/communities/{cop_id}/members", ALL, NOT_MEMBERS),
    "communities.manage": Page("/communities/{cop_id}/manage", ALL, NOT_MEMBERS - {Role.STAFF}),
    "communities.workspace": Page("/communities/{cop_id}/workspace", ALL, NOT_MEMBERS),
    "communities.post": Page("/communities/{cop_id}/posts/{cop_post_id}", ALL, NOT_MEMBERS),
    "communities.post_file": Page(
        "/communities/{cop_id}/posts/{cop_post_id}/file", ALL, NOT_MEMBERS
    ),
    "communities.meetings": Page("/communities/{cop_id}/meetings", ALL, NOT_MEMBERS),
    "communities.new_meeting": Page("/communities/{cop_id}/meetings/new", ALL, NOT_MEMBERS),
    "communities.meeting": Page("/communities/meetings/{cop_meeting_id}", ALL, NOT_MEMBERS),
    "communities.meeting_ics": Page(
        "/communities/meetings/{cop_meeting_id}/calendar.ics", ALL, NOT_MEMBERS
    ),
    # only members of a community have a communities calendar
    "communities.calendar_page": Page("/communities/calendar", ALL, NOT_MEMBERS),
    # the secret in the address is the credential
    "communities.calendar_feed": Page("/communities/calendar/{cop_feed_token}.ics", None),
    "communities.priorities": Page("/communities/{cop_id}/priorities", ALL, NOT_MEMBERS),
    "communities.round": Page("/communities/rounds/{cop_round_id}", ALL, NOT_MEMBERS),
    "communities.start_from_topic": Page("/communities/topics/{cop_topic_id}/start", STAFF),
    "communities.support": Page("/communities/{cop_id}/support", ALL, NOT_MEMBERS),
    "communities.support_request": Page("/communities/support/{cop_request_id}", ALL, NOT_MEMBERS),
    "communities.report_page": Page("/communities/report", STAFF),
    "communities.report_csv": Page("/communities/report.csv", STAFF),
    "communities.payments_xlsx": Page("/communities/payments.xlsx", STAFF),
}

ACTIONS = {
    "communities.accept_rules": ALL,
    "communities.leave": ALL,
    "communities.approve": ALL,
    "communities.decline": ALL,
    "communities.facilitator": STAFF,
    "communities.hide": ALL,
    "communities.cancel_booking": ALL,
    "communities.calendar_create": ALL,
    "communities.calendar_revoke": ALL,
    "communities.attendance": ALL,
    "communities.notes": ALL,
    "communities.add_action": ALL,
    "communities.vote": ALL,
    "communities.close_round": ALL,
    "communities.volunteer": ALL,
    "communities.log_time": ALL,
    "communities.record_payment": STAFF,
    "communities.mark_paid": STAFF,
}


def records(make, app) -> dict:
    """A community with a facilitator and a member, a post with a file, a meeting, a
    closed priority round and a funded support request."""
    from app.communities.models import Background
    from tests import communities_helpers as h

    cid = h.community(make, app, "Matrix community")
    fac, fac_id = h.member(make, app, cid, Role.AWARD_HOLDER, facilitator=True)
    _carer, carer_id = h.member(make, app, cid, background=Background.CARER)
    post_id = h.post(app, cid, carer_id, file=h.PDF)
    meeting_id = h.meeting(app, cid, fac.id)
    round_id, topic_id = h.closed_round(app, cid, carer_id)
    request_id, _v = h.support_request(app, carer_id, fac_id)
    feed_token = h.community_feed(app, _carer.id)
    return {
        "cop_feed_token": feed_token,
        "cop_id": cid,
        "cop_post_id": post_id,
        "cop_meeting_id": meeting_id,
        "cop_round_id": round_id,
        "cop_topic_id": topic_id,
        "cop_request_id": request_id,
    }
