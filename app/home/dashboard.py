"""What each role is asked to do, shown on the home page.

Each feature adds its cards here; a card names an endpoint, so the access rules
decide who sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for

from app.core.access import endpoint_allowed
from app.core.navigation import home_links
from app.core.roles import Role


@dataclass
class Card:
    heading: str
    description: str
    href: str | None = None
    # How many things on this card wait for the person (requests to approve, emails that
    # failed, outputs overdue...): cards with some come first on the home page.
    waiting: int = 0


# What each role does in the service today: only what works (a role with nothing to do
# here yet is told so, rather than promised a feature that does not exist). Keep these
# true when a feature adds or takes away what a role does.
ROLE_INTROS = {
    Role.APPLICANT: "apply to the programme, shaping your question around your authority's "
    "priority research areas, and follow your application to a decision",
    Role.AWARD_HOLDER: "plan and confirm your research days, sign your learning agreement, "
    "reply to the residential workshops, record personal-award spending with its receipts, "
    "upload your outputs for feedback, and after the programme keep your impact log, "
    "plan your next steps to a fellowship and answer the evaluation surveys",
    Role.LINE_MANAGER: "approve the study days of the award holders you manage (or ask "
    "someone to while you are away), sign their learning agreements, read the managers' "
    "handbook, follow their outputs, suggest entries for their impact log, reply to "
    "presentation day invitations and answer the evaluation surveys",
    Role.PSW: "sign off applications from your authority, publish its priority research "
    "areas, see which of its award holders are behind with their research days, read its "
    "impact report and suggest impact entries, reply to presentation day invitations and "
    "answer the evaluation surveys",
    Role.ASSISTANT_DIRECTOR: "see your organisation's award holders (their research days, "
    "who is at risk of falling behind and their three-way meetings) and sign their "
    "learning agreements",
    Role.SUPERVISOR: "see the award holders you supervise, log supervision and three-way "
    "meetings, give feedback on their outputs, suggest entries for their impact log, "
    "reply to presentation day invitations and answer the evaluation surveys",
    Role.COACH: "see the award holders you coach and log individual and group coaching sessions",
    Role.STAFF: "run cohorts and select award holders, see who is behind with their "
    "research days, approve and pay personal-award spending, allocate supervisors and "
    "coaches, run the residential workshops and presentation days, follow outputs, and "
    "after the programme read the impact reports, publish pre-application reviews and "
    "evaluate every cohort",
}

# For every member of a community of practice, whatever their roles (issue 19); for a
# person who only takes part in communities it is their whole intro (app.home.activity).
COMMUNITY_INTRO = (
    "take part in your communities of practice: the monthly online meetings and training, "
    "the shared workspace, setting research priorities and help with research ideas"
)

STAFF_LINKS = [
    ("People", "Invite people, change roles and deactivate accounts.", "accounts.user_list"),
    ("Organisations", "Employers and universities taking part.", "organisations.org_list"),
    ("Audit log", "Every change made in the service: who, what and when.", "audit.entry_list"),
    ("Outbox", "Every email the service has sent or is holding.", "outbox.message_list"),
]


# Features register functions `provider(user) -> list[Card]` for the cards that
# say what is asked of each person (e.g. "3 applications waiting for your sign-off").
CARD_PROVIDERS: list[Callable[[Any], list[Card]]] = []


def register_cards(provider: Callable[[Any], list[Card]]) -> Callable[[Any], list[Card]]:
    if provider not in CARD_PROVIDERS:
        CARD_PROVIDERS.append(provider)
    return provider


def role_intros(user) -> list[str]:
    """What this person can do here, one phrase per role that has something to do, and
    their communities of practice. Someone who registered only to join a community (the
    applicant role, no application) is told about communities, not about applying."""
    from app.home.activity import community_member, community_only

    if community_only(user):
        return [COMMUNITY_INTRO]
    intros = [ROLE_INTROS[role] for role in Role if role in user.roles and role in ROLE_INTROS]
    if community_member(user):
        intros.append(COMMUNITY_INTRO)
    return intros


def cards_for(user) -> list[Card]:
    cards: list[Card] = []
    if user.has_role(Role.STAFF):
        from app.accounts.queries import unconfirmed_count

        waiting = unconfirmed_count()
        if waiting:
            cards.append(
                Card(
                    f"{waiting} {'person needs' if waiting == 1 else 'people need'} their roles "
                    "confirmed",
                    "Applicants invited them as their line manager or PSW. Check and confirm "
                    "before they can sign off applications.",
                    url_for("accounts.user_list", unconfirmed=1),
                    waiting=waiting,
                )
            )
    if user.pending_roles:
        cards.append(
            Card(
                "Your access is waiting for programme staff",
                "You were added as "
                + " and ".join(r.label.lower() for r in sorted(user.pending_roles))
                + ". Programme staff check every role given by an applicant before it can be "
                "used. You will see your work here once they confirm it.",
            )
        )
    for provider in CARD_PROVIDERS:
        cards.extend(provider(user))
    # what asks for action (with a count of what waits) first; the rest in feature order
    cards.sort(key=lambda c: c.waiting <= 0)
    for heading, description, href in home_links():
        cards.append(Card(heading, description, href))
    for heading, description, endpoint in STAFF_LINKS:
        if endpoint_allowed(endpoint):
            cards.append(Card(heading, description, url_for(endpoint)))
    cards.append(
        Card(
            "Your account", "Change your password and see your roles.", url_for("accounts.account")
        )
    )
    return cards
