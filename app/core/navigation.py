"""The header navigation, defined once and filtered by the access rules."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from app.core.access import endpoint_allowed

# (label, endpoint). Shown only to users whose roles reach the endpoint.
NAV_ITEMS: list[tuple[str, str]] = [
    ("Home", "home.index"),
    ("People", "accounts.user_list"),
    ("Organisations", "organisations.org_list"),
    ("Audit log", "audit.entry_list"),
    ("Outbox", "outbox.message_list"),
    ("Your account", "accounts.account"),
]


def navigation_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint in NAV_ITEMS:
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
