"""Every impact route, loaded together for registration."""

from app.impact import report_views, views  # noqa: F401  (their routes join the blueprint)
from app.impact.blueprint import bp

__all__ = ["bp"]
