"""The home page shows a member their communities and next meeting, and a facilitator
the join requests waiting for them (first, as work waiting); a carer who only joined a
community used to find nothing of it there."""

from __future__ import annotations

import re

from app.communities.models import Background
from app.core.roles import Role
from app.home import dashboard
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


LINK = re.compile(r'class="nhsuk-header__navigation-link"[^>]*>\s*([^<]+?)\s*<')


def test_a_carer_who_only_joined_a_community_is_greeted_as_a_member(app, make, browser):
    """Everyone who registers gets the applicant role: a carer with no intention of
    applying saw "Your applications" and "You are signed in as applicant"."""
    a = h.community(make, app, "Complex needs")
    carer, _ = h.member(make, app, a, Role.APPLICANT, background=Background.CARER)
    browser.sign_in(carer.email)
    resp = browser.get("/")
    page = text(resp)
    assert "Your applications" not in LINK.findall(resp.get_data(as_text=True))
    assert "Communities" in LINK.findall(resp.get_data(as_text=True))
    assert "You are a member of a community of practice" in page
    assert "signed in as applicant" not in page
    assert dashboard.COMMUNITY_INTRO in page
    assert "apply to the programme, shaping" not in page
    # the page is still theirs (they may yet apply)
    assert browser.get("/applications/").status_code == 200


def test_once_they_start_an_application_they_are_an_applicant_too(app, make, browser):
    a = h.community(make, app, "Complex needs")
    carer, _ = h.member(make, app, a, Role.APPLICANT, background=Background.CARER)
    make.application(make.cohort(), applicant=carer)
    browser.sign_in(carer.email)
    resp = browser.get("/")
    page = text(resp)
    assert "Your applications" in LINK.findall(resp.get_data(as_text=True))
    assert "signed in as applicant" in page
    assert "apply to the programme, shaping" in page and dashboard.COMMUNITY_INTRO in page


def test_an_applicant_in_no_community_and_a_member_with_a_role_keep_their_header(
    app, make, browser_factory
):
    applicant = make.user(Role.APPLICANT)
    b = browser_factory()
    b.sign_in(applicant.email)
    resp = b.get("/")
    assert "Your applications" in LINK.findall(resp.get_data(as_text=True))
    assert "signed in as applicant" in text(resp)
    assert dashboard.COMMUNITY_INTRO not in text(resp)
    # someone asking to join is not a member yet
    a = h.community(make, app, "Complex needs")
    h.join(app, a, applicant.id, approve=False)
    assert "Your applications" in LINK.findall(b.get("/").get_data(as_text=True))

    manager, _ = h.member(make, app, a, Role.LINE_MANAGER)
    mb = browser_factory()
    mb.sign_in(manager.email)
    page = text(mb.get("/"))
    assert "signed in as line manager" in page
    assert dashboard.ROLE_INTROS[Role.LINE_MANAGER] in page and dashboard.COMMUNITY_INTRO in page
