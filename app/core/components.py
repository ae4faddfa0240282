"""NHS.UK components with their HTML cached: `{{ nhsuk.tag({...}) }}` in a template.

The nhsuk-frontend-jinja macros are pure functions of their parameters, but rendering one
costs tens to hundreds of microseconds (the header alone is about 3 ms), which on a list of
50 rows or on every page's header and footer was most of the page's time. The same
parameters always give the same HTML, so each distinct call is rendered once per worker
and kept in a bounded cache. The markup is exactly what the macro produces, but for one
invalid attribute taken out (`_ROLE_TEXT`).

The key is the parameters' `repr`: fast (C code, where walking the dicts cost 2 ms a page)
and exact for what templates pass, which is literals: dicts, lists, strings, numbers and
`Markup`, whose repr differs from a plain string's, so text and HTML with the same
characters never share an entry. Parameters must not hold objects whose repr hides their
content; the components never need any.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask
from jinja2 import Environment
from markupsafe import Markup

MAX_ENTRIES = 2048

# nhsuk-frontend's card (and so its warning callout) wraps a heading's visually hidden
# prefix in `<span role="text">`, a VoiceOver-only role that is not valid HTML. Only the
# role goes; the "Important: " prefix stays for screen readers.
_ROLE_TEXT = Markup('<span role="text">')
_ROLE_TEXT_COMPONENTS = frozenset({"card", "warningCallout"})


def _template_name(macro: str) -> str:
    """backLink -> nhsuk/components/back-link/macro.jinja"""
    kebab = re.sub(r"(?<!^)([A-Z])", r"-\1", macro).lower()
    return f"nhsuk/components/{kebab}/macro.jinja"


class Components:
    """`nhsuk.<macroName>(params)`: the nhsuk-frontend-jinja macro of that name, cached."""

    def __init__(self, env: Environment, max_entries: int = MAX_ENTRIES):
        self._env = env
        self._max = max_entries
        self._cache: OrderedDict[tuple[str, str], Markup] = OrderedDict()
        self._macros: dict[str, Callable[..., str]] = {}
        self._lock = threading.Lock()

    def _macro(self, name: str) -> Callable[..., str]:
        macro = self._macros.get(name)
        if macro is None:
            module = self._env.get_template(_template_name(name)).module
            macro = getattr(module, name)
            self._macros[name] = macro
        return macro

    def __getattr__(self, name: str) -> Callable[[dict], Markup]:
        """Called once per component name: the renderer is then kept as an attribute."""
        if name.startswith("_"):
            raise AttributeError(name)

        def render(params: dict | None = None) -> Markup:
            params = params or {}
            key = (name, repr(params))
            with self._lock:
                html = self._cache.get(key)
                if html is not None:
                    self._cache.move_to_end(key)
                    return html
            html = self._macro(name)(params)
            if name in _ROLE_TEXT_COMPONENTS and _ROLE_TEXT in html:
                html = html.replace(_ROLE_TEXT, Markup("<span>"))
            with self._lock:
                self._cache[key] = html
                if len(self._cache) > self._max:
                    self._cache.popitem(last=False)
            return html

        setattr(self, name, render)
        return render

    def field(self, name: str, params: dict) -> Markup:
        """A form field component: cached while it is blank, drawn afresh once it holds a
        value, so what people type (or their saved answers) is never kept in memory, and
        the cache is not filled with one entry per answer."""
        items = params.get("items") or []
        if params.get("value") or any(i.get("value") for i in items if isinstance(i, dict)):
            return self._macro(name)(params)  # a Markup, as the macro gives it
        return getattr(self, name)(params)

    def __len__(self) -> int:
        return len(self._cache)


def register_components(app: Flask) -> None:
    app.jinja_env.globals["nhsuk"] = Components(app.jinja_env)
