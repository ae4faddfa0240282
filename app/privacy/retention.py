"""How long each kind of record is kept. Defaults here and in the README; change them
with the PRIVACY_RETENTION_DAYS setting ({"short": 60, ...}); the period for
unsuccessful applications is set by programme staff on the data protection page."""

from __future__ import annotations

from flask import current_app

from app.extensions import db
from app.privacy.declare import Retention

UNSUCCESSFUL_KEY = "unsuccessful_applications"

# Days; None: not removed by the purge (see RULES for what happens instead).
DEFAULT_DAYS: dict[Retention, int | None] = {
    Retention.ACCOUNT: None,
    Retention.PROGRAMME: None,
    Retention.FINANCE: 6 * 365,
    Retention.AFTER_WORKSHOP: 30,
    Retention.UNSUCCESSFUL: 365,
    Retention.SHORT: 90,
    Retention.AUDIT: 365,
    Retention.PUBLISHED: None,
}

# What each rule means, in the words of the privacy notice and the README.
RULES: dict[Retention, str] = {
    Retention.ACCOUNT: "While your account is open; erased if you ask us to.",
    Retention.PROGRAMME: (
        "The record of your programme year, kept while you are an award holder or "
        "alumnus; erased if you ask us to."
    ),
    Retention.FINANCE: (
        "Six years, because the law requires financial records to be kept; this is kept "
        "even if you ask us to erase your data."
    ),
    Retention.AFTER_WORKSHOP: "Deleted {days} days after the workshop ends.",
    Retention.UNSUCCESSFUL: (
        "If your application is not successful, deleted {days} days after the decision."
    ),
    Retention.SHORT: "Deleted after {days} days.",
    Retention.AUDIT: (
        "The record of who did what is kept; the network address is removed after {days} "
        "days, and your name is removed if you ask us to erase your data."
    ),
    Retention.PUBLISHED: (
        "Research outputs shared between authorities are kept; if you ask us to erase "
        'your data they are credited to "former member".'
    ),
}


def days(rule: Retention) -> int | None:
    if rule is Retention.UNSUCCESSFUL:
        from app.privacy.models import PrivacySetting

        setting = db.session.get(PrivacySetting, UNSUCCESSFUL_KEY)
        if setting is not None:
            return setting.days
    configured = current_app.config.get("PRIVACY_RETENTION_DAYS") or {}
    if rule.value in configured:
        return configured[rule.value]
    return DEFAULT_DAYS[rule]


def describe(rule: Retention) -> str:
    return RULES[rule].format(days=days(rule))


def finance_years() -> int:
    return round((days(Retention.FINANCE) or 0) / 365)
