"""Every kind of reminder in one place: its rule (what is due on a day), who it goes to,
whether a person may turn it off, and whether it is on for a cohort (on unless staff
turned it off). Rules live in `app.reminders.rules` and register themselves here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class Due:
    """One reminder a rule found due: to `person` (None when there is nobody to send it
    to: `missing` says why), about `subject_id` for `period`."""

    subject_id: int
    period: str
    person: Any  # User | None
    cohort_id: int | None
    link: str
    title: str  # the email's subject and the notification's line
    text: str  # the email's paragraph: what is waiting, and what to do
    missing: str = ""
    extra: dict = field(default_factory=dict)


# A rule over a window of days: `window(start, end)` reads what the days from `start` to
# `end` can need once and returns `on(day)`, the rule's answer for each of those days
# (the staff's "coming up" list asks 14 days at once). The rule for one day is
# `window(day, day)(day)`.
Window = Callable[[date, date], Callable[[date], Iterable[Due]]]


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what staff and people read in lists and settings
    audience: str
    mandatory: bool  # a person cannot turn it off
    rule: Callable[[date], Iterable[Due]]
    subject: type | None = None  # the model subject_id points at (deleted: skipped)
    template: str = "reminder"  # templates/email/<template>.txt
    window: Window | None = None  # the rule over many days at once, if it has one


KINDS: dict[str, Kind] = {}


def register(
    name: str,
    label: str,
    audience: str,
    *,
    mandatory: bool = False,
    subject: type | None = None,
    template: str = "reminder",
    windowed: bool = False,
):
    """Register a rule `fn(day)`; with `windowed`, `fn(start, end)` is a `Window` and
    what is registered (and returned) is the one-day rule made from it."""

    def wrap(fn):
        window = fn if windowed else None
        rule = fn
        if window is not None:

            def rule(day: date) -> Iterable[Due]:
                return window(day, day)(day)

            rule.__name__ = rule.__qualname__ = fn.__name__
            rule.__doc__ = fn.__doc__
        KINDS[name] = Kind(name, label, audience, mandatory, rule, subject, template, window)
        return rule

    return wrap


def kinds() -> list[Kind]:
    from app.reminders import rules  # noqa: F401  (the rules register themselves)

    return list(KINDS.values())


def kind(name: str) -> Kind | None:
    kinds()
    return KINDS.get(name)


def optional_kinds() -> list[Kind]:
    return [k for k in kinds() if not k.mandatory]
