"""Erasure in a community's shared places (issue 20): what a member posted and replied
stays for the others to read, credited to "Former member", with no trace of their name
or email; their membership details (role, organisation, access needs) go."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.communities.models import CommunityMember, Post
from app.core.roles import Role
from app.extensions import db
from app.privacy import erasure
from tests import communities_helpers as h
from tests.helpers import text


def test_an_erased_members_posts_stay_credited_to_a_former_member(app, make, browser):
    cid = h.community(make, app, "Complex needs")
    fac, fac_mid = h.member(make, app, cid, Role.AWARD_HOLDER, facilitator=True)
    leaving, mid = h.member(
        make,
        app,
        cid,
        Role.APPLICANT,
        name="Winifred Quayle",
        role_text="Carer for my mother",
        organisation_text="",
    )
    post_id = h.post(app, cid, mid, body="Respite care made the difference for us.")
    reply_id = h.post(app, cid, fac_mid, body="Thank you, Winifred Quayle.", parent=post_id)
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        _plan, findings = erasure.erase(
            db.session.get(User, leaving.id), db.session.get(User, staff.id)
        )
        db.session.commit()
        assert findings == []
        post = db.session.get(Post, post_id)
        assert post is not None and post.body == "Respite care made the difference for us."
        # the facilitator's reply named her: the name is gone, the reply stays
        reply = db.session.get(Post, reply_id)
        assert reply is not None and "Winifred" not in reply.body
        row = db.session.scalar(select(CommunityMember).where(CommunityMember.id == mid))
        assert row is None or "Carer for my mother" not in (row.role_text or "")
    browser.sign_in(fac.email)
    page = text(browser.get(f"/communities/{cid}/workspace"))
    assert "Winifred" not in page and "Quayle" not in page
    thread = text(browser.get(f"/communities/{cid}/posts/{post_id}"))
    assert "Respite care made the difference for us." in thread
    assert "ormer member" in thread and "Winifred" not in thread
