"""Access rules in one place.

Every view declares who may reach it with one of `public`, `signed_in` or
`roles(...)`. A `before_request` hook enforces the declaration, and refuses any
endpoint that has none (fail closed); `tests/test_url_map.py` fails the build
for such an endpoint. Record-level rules are `can_<verb>(user, obj)` functions
here or on the model; views answer 404 when they fail so ids leak nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from app.core.params import INT_MAX
from app.core.roles import Role


@dataclass(frozen=True)
class Rule:
    kind: str  # "public" | "signed_in" | "roles"
    roles: frozenset[Role] = frozenset()

    def describe(self) -> str:
        if self.kind == "roles":
            return ", ".join(sorted(r.value for r in self.roles))
        return self.kind


PUBLIC = Rule("public")
SIGNED_IN = Rule("signed_in")
# Endpoints Flask and extensions add themselves; they serve files only.
BUILTIN_PUBLIC = {"static", "assets.static", "frontend.static"}


def _declare(rule: Rule) -> Callable:
    def decorator(view: Callable) -> Callable:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorator


def public(view: Callable) -> Callable:
    """Anyone, signed in or not."""
    return _declare(PUBLIC)(view)


def signed_in(view: Callable) -> Callable:
    """Any active, signed-in user."""
    return _declare(SIGNED_IN)(view)


def roles(*allowed: Role) -> Callable:
    """Signed-in users holding at least one of these roles."""
    if not allowed:
        raise ValueError("roles() needs at least one role")
    return _declare(Rule("roles", frozenset(allowed)))


def rule_for(endpoint: str | None) -> Rule | None:
    if endpoint is None:
        return None
    if endpoint in BUILTIN_PUBLIC or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def user_may(user: Any, rule: Rule) -> bool:
    if rule.kind == "public":
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if rule.kind == "signed_in":
        return True
    return user.has_role(*rule.roles)


def enforce() -> Any:
    """before_request hook: apply the endpoint's declaration."""
    if request.endpoint is None:  # unknown URL: let routing answer 404/405
        return None
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("Endpoint %s declares no access rule", request.endpoint)
        abort(403)
    if rule.kind == "public":
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
    if not user_may(current_user, rule):
        abort(403)
    return None


def endpoint_allowed(endpoint: str) -> bool:
    """For navigation: may the current user reach this endpoint?"""
    rule = rule_for(endpoint)
    return rule is not None and user_may(current_user, rule)


def get_or_404(
    model: type,
    ident: Any,
    check: Callable[[Any], bool] | None = None,
    options: Sequence[Any] = (),
) -> Any:
    """Load a record; 404 when missing or when `check` says it is not yours. `options`:
    loader options (what the page will read of the record, in the same query)."""
    from app.extensions import db

    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    if not 0 < ident <= INT_MAX:  # past what an id column holds: no such record
        abort(404)
    obj = db.session.get(model, ident, options=list(options))
    if obj is None or (check is not None and not check(obj)):
        abort(404)
    return obj
