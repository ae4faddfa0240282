"""The header navigation, defined once and filtered by the access rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request, url_for
from flask_login import current_user

from app.core.access import endpoint_allowed

# (order, label, endpoint). Shown only to users whose roles reach the endpoint.
# Features add their own entries with `register_nav` when their views load. The header
# holds eight links at most: past that, nhsuk-frontend folds the rest under "More", where
# people on a laptop never see them. So a feature's less daily pages register as
# *secondary* with a description: when a person's header would pass eight links, those
# leave it and become cards on their home page instead (`home_links`).
MAX_LINKS = 8
_NAV: list[tuple[int, str, str]] = [
    (0, "Home", "home.index"),
    (60, "People", "accounts.user_list"),
    (80, "Audit log", "audit.entry_list"),
]
_SECONDARY: dict[str, str] = {}  # endpoint -> the card's description
_SHOWN: dict[str, Callable[[Any], bool]] = {}  # endpoint -> whether this person sees it


def register_nav(
    order: int,
    label: str,
    endpoint: str,
    secondary: str = "",
    shown: Callable[[Any], bool] | None = None,
) -> None:
    """`secondary`: a description, for a link that moves to the home page's cards when the
    header is full. `shown(user)`: whether the link is in this person's header at all
    (the access rules still decide who may reach the page)."""
    if all(e != endpoint for _o, _l, e in _NAV):
        _NAV.append((order, label, endpoint))
        _NAV.sort()
    if secondary:
        _SECONDARY[endpoint] = secondary
    if shown is not None:
        _SHOWN[endpoint] = shown


def nav_entries() -> list[tuple[str, str]]:
    return [(label, endpoint) for _o, label, endpoint in _NAV]


def _split() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(header links, links moved to the home page) for the signed-in person."""
    allowed = [
        (label, e)
        for label, e in nav_entries()
        if endpoint_allowed(e) and (e not in _SHOWN or _SHOWN[e](current_user))
    ]
    if len(allowed) <= MAX_LINKS:
        return allowed, []
    return (
        [(label, e) for label, e in allowed if e not in _SECONDARY],
        [(label, e) for label, e in allowed if e in _SECONDARY],
    )


def home_links() -> list[tuple[str, str, str]]:
    """(label, description, url) of the secondary links this person's header had no room
    for: the home page shows them as cards."""
    if not current_user.is_authenticated:
        return []
    return [(label, _SECONDARY[e], url_for(e)) for label, e in _split()[1]]


def navigation_items() -> list[dict]:
    """The header's links. One at most is marked current: the link to this very page, or
    else the first link into the same part of the service (so "At risk" and "Your
    research days", both in release, are never highlighted together)."""
    if not current_user.is_authenticated:
        return []
    here = request.endpoint or ""
    allowed = _split()[0]
    current = next((e for _l, e in allowed if e == here), None)
    if current is None:
        prefix = here.split(".")[0] + "."
        current = next(
            (
                e
                for _l, e in allowed
                if e != "home.index" and e.startswith(prefix) and prefix != "accounts."
            ),
            None,
        )
    return [{"text": label, "href": url_for(e), "current": e == current} for label, e in allowed]
