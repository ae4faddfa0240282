"""The header navigation, defined once and filtered by the access rules."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from app.core.access import endpoint_allowed

# (order, label, endpoint). Shown only to users whose roles reach the endpoint.
# Features add their own entries with `register_nav` when their views load.
_NAV: list[tuple[int, str, str]] = [
    (0, "Home", "home.index"),
    (60, "People", "accounts.user_list"),
    (70, "Organisations", "organisations.org_list"),
    (80, "Audit log", "audit.entry_list"),
    (90, "Outbox", "outbox.message_list"),
]


def register_nav(order: int, label: str, endpoint: str) -> None:
    if all(e != endpoint for _o, _l, e in _NAV):
        _NAV.append((order, label, endpoint))
        _NAV.sort()


def nav_entries() -> list[tuple[str, str]]:
    return [(label, endpoint) for _o, label, endpoint in _NAV]


def navigation_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint in nav_entries():
        if endpoint_allowed(endpoint):
            href = url_for(endpoint)
            prefix = endpoint.split(".")[0]
            current = request.endpoint == endpoint or (
                endpoint != "home.index"
                and request.endpoint is not None
                and request.endpoint.startswith(prefix + ".")
                and prefix not in ("accounts",)
            )
            items.append({"text": label, "href": href, "current": current})
    return items
