"""The access matrix, one fragment per feature (so features don't edit a shared file).

Each fragment module defines:
  PAGES: {endpoint: Page(url, allowed, not_found_for=set())}
  ACTIONS: {endpoint: allowed}   # POST-only or emailed-token endpoints, tested elsewhere
  records(make, app) -> dict     # ids used to fill the URL templates (optional)
`allowed` is a set of roles, ALL (any signed-in user) or None (public).
`not_found_for`: roles that pass the role check but must get 404 because the record in
the URL is not theirs (another person's application, another authority's record...).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field

from app.core.roles import Role

ALL = frozenset(Role)
STAFF = frozenset({Role.STAFF})


@dataclass(frozen=True)
class Page:
    url: str
    allowed: frozenset | None
    not_found_for: frozenset = field(default_factory=frozenset)


def _fragments():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        yield importlib.import_module(f"{__name__}.{info.name}")


def all_pages() -> dict[str, Page]:
    pages: dict[str, Page] = {}
    for mod in _fragments():
        pages.update(getattr(mod, "PAGES", {}))
    return pages


def all_actions() -> dict[str, frozenset | None]:
    actions: dict = {}
    for mod in _fragments():
        actions.update(getattr(mod, "ACTIONS", {}))
    return actions


def all_records(make, app) -> dict:
    values: dict = {}
    for mod in _fragments():
        fn = getattr(mod, "records", None)
        if fn is not None:
            values.update(fn(make, app))
    return values
