"""The header navigation, defined once and filtered by the access rules."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from app.core.access import endpoint_allowed

# (order, label, endpoint). Shown only to users whose roles reach the endpoint.
# Features add their own entries with `register_nav` when their views load. The header
# holds eight links at most before the rest fold under "More": programme staff's less
# daily pages (organisations, the outbox) are cards on their home page instead.
_NAV: list[tuple[int, str, str]] = [
    (0, "Home", "home.index"),
    (60, "People", "accounts.user_list"),
    (80, "Audit log", "audit.entry_list"),
]


def register_nav(order: int, label: str, endpoint: str) -> None:
    if all(e != endpoint for _o, _l, e in _NAV):
        _NAV.append((order, label, endpoint))
        _NAV.sort()


def nav_entries() -> list[tuple[str, str]]:
    return [(label, endpoint) for _o, label, endpoint in _NAV]


def navigation_items() -> list[dict]:
    """The header's links. One at most is marked current: the link to this very page, or
    else the first link into the same part of the service (so "At risk" and "Your
    research days", both in release, are never highlighted together)."""
    if not current_user.is_authenticated:
        return []
    here = request.endpoint or ""
    allowed = [(label, e) for label, e in nav_entries() if endpoint_allowed(e)]
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
