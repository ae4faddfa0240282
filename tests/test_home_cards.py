"""The home page puts what asks for action first: a card with a count of what waits
(requests to approve, failed emails, overdue outputs) comes before the pages a person
just uses; and every role's intro says what that role does here."""

from __future__ import annotations

import re

from app.core.roles import Role
from app.home import dashboard
from app.home.dashboard import Card
from tests.helpers import text

CARD = re.compile(r'<h2 class="nhsuk-card__heading[^"]*">\s*<a[^>]*>([^<]+)</a>')


def test_cards_that_ask_for_action_come_first(make, browser, monkeypatch):
    def provider(_user):
        return [
            Card("Plain page", "Somewhere to go.", "/plain"),
            Card("3 things wait for you", "Do them.", "/three", waiting=3),
            Card("Nothing waiting", "Zero is not waiting.", "/zero", waiting=0),
            Card("1 thing waits for you", "Do it.", "/one", waiting=1),
        ]

    monkeypatch.setattr(dashboard, "CARD_PROVIDERS", [provider])
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    page = text(browser.get("/"))
    headings = CARD.findall(page)
    assert headings[:2] == ["3 things wait for you", "1 thing waits for you"]
    # the rest keep their order: the feature's, then the header's overflow, then account
    assert headings.index("Plain page") < headings.index("Nothing waiting")
    assert headings[-1] == "Your account"
    assert "What is waiting for you comes first." in page


def test_nothing_waiting_says_nothing_about_it(make, browser, monkeypatch):
    monkeypatch.setattr(dashboard, "CARD_PROVIDERS", [])
    browser.sign_in(make.user(Role.COACH).email)
    assert "comes first" not in text(browser.get("/"))


def test_the_real_counts_are_waiting_cards(make, browser):
    """A line manager with nothing to approve sees the approvals card as a plain page."""
    org = make.org()
    manager = make.user(Role.LINE_MANAGER, orgs=[org])
    browser.sign_in(manager.email)
    page = text(browser.get("/"))
    assert "No study days waiting for your approval" in page
    assert "comes first" not in page


def test_every_role_has_an_intro_of_what_it_does():
    assert set(dashboard.ROLE_INTROS) == set(Role)
    for role, intro in dashboard.ROLE_INTROS.items():
        assert intro[0].islower() and not intro.endswith("."), role
    assert "pre-application reviews" in dashboard.ROLE_INTROS[Role.STAFF]
    assert "impact log" in dashboard.ROLE_INTROS[Role.SUPERVISOR]
    assert "learning agreements" in dashboard.ROLE_INTROS[Role.ASSISTANT_DIRECTOR]
