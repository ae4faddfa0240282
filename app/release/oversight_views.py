"""At-risk view, calendar feeds, CSV export and residential days (routes on the release
blueprint)."""

from __future__ import annotations

from app.release.views import bp  # noqa: F401
