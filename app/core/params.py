"""Untrusted input cleaned in one place: query parameters, URL ids and free text.

PostgreSQL refuses a NUL byte in text and an integer past its column (2**31 - 1 for
INTEGER ids), and both would surface as a 500. Views read `request.args` only through
`arg_int`, `arg_str` and `arg_choice`; forms clean text in `app.core.forms.BaseForm`;
`<int:...>` in a route answers 404 above `INT_MAX` (`IdConverter`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import request
from werkzeug.routing import IntegerConverter

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # what an INTEGER column holds

# C0 controls, DEL and C1 controls; line breaks and tabs are kept in multi-line text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r]")


def clean_text(value: str, multiline: bool = False) -> str:
    """`value` without control characters (NUL included). One-line text also loses
    tabs and line breaks (each becomes a space); multi-line text keeps \\n, \\r, \\t."""
    value = _CONTROL.sub("", value)
    return value if multiline else _LINE_BREAKS.sub(" ", value)


def fits_integer(value: Any) -> bool:
    """An int (not a bool) an INTEGER column can hold."""
    return isinstance(value, int) and not isinstance(value, bool) and INT_MIN <= value <= INT_MAX


def arg_str(name: str, max_len: int = 100) -> str:
    """A one-line query parameter: cleaned, trimmed, at most `max_len` characters."""
    return clean_text(request.args.get(name, "") or "")[:max_len].strip()


def arg_int(name: str, default: int | None = None, min: int = 1, max: int = INT_MAX) -> int | None:
    """A whole-number query parameter between `min` and `max`, else `default`. Digits
    only: '1e3', ' 7', '+7' and '٣' (non-ASCII digits) are not numbers here."""
    text = request.args.get(name, "") or ""
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return default
    value = int(text)
    return value if min <= value <= max else default


def arg_choice(name: str, allowed: Iterable[str], default: str = "") -> str:
    """A query parameter that must be one of `allowed` (exactly), else `default`."""
    value = request.args.get(name, "") or ""
    return value if value in set(allowed) else default


class IdConverter(IntegerConverter):
    """Flask's `int` converter, but a value an INTEGER column cannot hold does not match
    (404), rather than reaching the database and failing there."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int = INT_MAX):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max)
