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


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what staff and people read in lists and settings
    audience: str
    mandatory: bool  # a person cannot turn it off
    rule: Callable[[date], Iterable[Due]]
    subject: type | None = None  # the model subject_id points at (deleted: skipped)
    template: str = "reminder"  # templates/email/<template>.txt


KINDS: dict[str, Kind] = {}


def register(
    name: str,
    label: str,
    audience: str,
    *,
    mandatory: bool = False,
    subject: type | None = None,
    template: str = "reminder",
):
    def wrap(fn: Callable[[date], Iterable[Due]]):
        KINDS[name] = Kind(name, label, audience, mandatory, fn, subject, template)
        return fn

    return wrap


def kinds() -> list[Kind]:
    from app.reminders import rules  # noqa: F401  (the rules register themselves)

    return list(KINDS.values())


def kind(name: str) -> Kind | None:
    kinds()
    return KINDS.get(name)


def optional_kinds() -> list[Kind]:
    return [k for k in kinds() if not k.mandatory]
