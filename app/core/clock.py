"""Today's date in Europe/London. Tests freeze it with the FROZEN_TODAY setting."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, has_app_context

from app.core.formatting import LONDON


def today() -> date:
    if has_app_context():
        frozen = current_app.config.get("FROZEN_TODAY")
        if frozen:
            return frozen if isinstance(frozen, date) else date.fromisoformat(str(frozen))
    return datetime.now(LONDON).date()
