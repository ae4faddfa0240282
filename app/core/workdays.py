"""Working days: weekends and the bank holidays of the employer's nation are not.

Bank holidays come from the maintained `holidays` package (GB subdivisions), not a
hand-typed list.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from app.organisations.models import Nation

SUBDIVISION = {
    Nation.ENGLAND_AND_WALES: "ENG",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}


@lru_cache(maxsize=64)
def _bank_holidays(nation: Nation, year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("GB", subdiv=SUBDIVISION[nation], years=year))


def bank_holiday(day: date, nation: Nation) -> str | None:
    """The holiday's name, or None."""
    return _bank_holidays(nation, day.year).get(day)


def non_working_reason(day: date, nation: Nation) -> str | None:
    """Why `day` is not a working day, in plain English, or None if it is one."""
    if day.weekday() == 5:
        return "Saturday"
    if day.weekday() == 6:
        return "Sunday"
    name = bank_holiday(day, nation)
    if name:
        return f"bank holiday ({name})"
    return None


def daterange(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def working_days_between(start: date, end: date, nation: Nation) -> int:
    return sum(1 for d in daterange(start, end) if non_working_reason(d, nation) is None)
