"""The home page shows a member their communities and next meeting, and a facilitator
the join requests waiting for them (first, as work waiting); a carer who only joined a
community used to find nothing of it there."""

from __future__ import annotations

from app.communities.models import Background
from app.core.roles import Role
from tests import communities_helpers as h
from tests.helpers import text


def test_a_member_sees_their_communities_and_the_next_meeting(app, make, browser):
    a = h.community(make, app, "Complex needs")
    b = h.community(make, app, "Workforce")
    fac, _ = h.member(make, app, a, Role.AWARD_HOLDER, facilitator=True)
    carer, _ = h.member(make, app, a, Role.APPLICANT, background=Background.CARER)
    h.join(app, b, carer.id, background=Background.CARER)
    h.meeting(app, a, fac.id, days=7)
    browser.sign_in(carer.email)
    page = text(browser.get("/"))
    assert "Your communities" in page
    assert "You are a member of Complex needs and Workforce" in page
    assert "Next meeting: Multiple exclusion homelessness" in page


def test_a_facilitator_sees_join_requests_first(app, make, browser):
    a = h.community(make, app, "Complex needs")
    fac, _ = h.member(make, app, a, Role.SUPERVISOR, facilitator=True)
    asking = make.user(Role.APPLICANT)
    h.join(app, a, asking.id, approve=False)
    browser.sign_in(fac.email)
    page = text(browser.get("/"))
    assert "1 person asks to join a community you facilitate" in page
    # waiting work comes before every other card
    assert page.index("asks to join") < page.index("Your community")


def test_someone_who_asked_but_is_not_yet_a_member_has_no_card(app, make, browser):
    a = h.community(make, app, "Complex needs")
    asking = make.user(Role.APPLICANT)
    h.join(app, a, asking.id, approve=False)
    browser.sign_in(asking.email)
    assert "Your communit" not in text(browser.get("/"))
