"""The header holds eight links at most: a person whose roles reach more sees the
features' secondary pages (budget, impact, next steps, evaluation, documents) as cards on
their home page instead, so nothing is folded out of sight under "More"."""

from __future__ import annotations

import re

import pytest

from app.core.navigation import MAX_LINKS
from app.core.roles import Role
from tests.helpers import text

LINK = re.compile(r'class="nhsuk-header__navigation-link"[^>]*>\s*([^<]+?)\s*<')
CARD = re.compile(r'<h2 class="nhsuk-card__heading[^"]*">\s*<a[^>]*>([^<]+)</a>')


@pytest.mark.parametrize(
    "roles, header, cards",
    [
        # staff reach thirteen: the secondary five become cards
        ((Role.STAFF,), {"People", "Audit log", "Spending"}, {"Budget", "Documents", "Impact"}),
        # an award holder reaches eleven: impact, next steps, documents, surveys go
        ((Role.AWARD_HOLDER,), {"Your research days", "Outputs"}, {"Documents", "Surveys"}),
    ],
)
def test_a_full_header_moves_secondary_links_to_home_cards(make, browser, roles, header, cards):
    user = make.user(*roles)
    browser.sign_in(user.email)
    page = text(browser.get("/"))
    links = set(LINK.findall(page))
    assert len(links) <= MAX_LINKS, links
    assert header <= links and not (cards & links), links
    assert cards <= set(CARD.findall(page))


def test_a_header_with_room_keeps_its_secondary_links(make, browser):
    user = make.user(Role.ASSISTANT_DIRECTOR)
    browser.sign_in(user.email)
    page = text(browser.get("/"))
    assert "Documents" in set(LINK.findall(page))
    assert "Documents" not in set(CARD.findall(page))
