"""NHS.UK components with their HTML cached: `{{ nhsuk.tag({...}) }}` in a template.

The nhsuk-frontend-jinja macros are pure functions of their parameters, but rendering one
costs tens to hundreds of microseconds (the header alone is about 3 ms), which on a list of
50 rows or on every page's header and footer was most of the page's time. The same
parameters always give the same HTML, so each distinct call is rendered once per worker
and kept in a bounded cache. The markup is exactly what the macro produces.

Parameters are frozen into a hashable key; `Markup` is kept distinct from `str`, so text
and HTML with the same characters never share an entry. Calls whose parameters cannot be
frozen (a `caller` block, an object) are rendered every time, uncached.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask
from jinja2 import Environment
from markupsafe import Markup

MAX_ENTRIES = 2048


class _Unfreezable(Exception):
    pass


def _freeze(value: Any) -> Hashable:
    if isinstance(value, Markup):
        return ("markup", str(value))
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _freeze(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("list", tuple(_freeze(v) for v in value))
    raise _Unfreezable(type(value).__name__)


def _template_name(macro: str) -> str:
    """backLink -> nhsuk/components/back-link/macro.jinja"""
    kebab = re.sub(r"(?<!^)([A-Z])", r"-\1", macro).lower()
    return f"nhsuk/components/{kebab}/macro.jinja"


class Components:
    """`nhsuk.<macroName>(params)`: the nhsuk-frontend-jinja macro of that name, cached."""

    def __init__(self, env: Environment, max_entries: int = MAX_ENTRIES):
        self._env = env
        self._max = max_entries
        self._cache: OrderedDict[Hashable, Markup] = OrderedDict()
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
        if name.startswith("_"):
            raise AttributeError(name)

        def render(params: dict | None = None) -> Markup:
            params = params or {}
            try:
                key = (name, _freeze(params))
            except _Unfreezable:
                return self._macro(name)(params)  # already Markup: the macro escaped its text
            with self._lock:
                html = self._cache.get(key)
                if html is not None:
                    self._cache.move_to_end(key)
                    return html
            html = self._macro(name)(params)
            with self._lock:
                self._cache[key] = html
                if len(self._cache) > self._max:
                    self._cache.popitem(last=False)
            return html

        return render

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._macros.clear()

    def __len__(self) -> int:
        return len(self._cache)


def register_components(app: Flask) -> None:
    app.jinja_env.globals["nhsuk"] = Components(app.jinja_env)
