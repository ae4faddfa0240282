"""Every money route, loaded together for registration."""

from app.money import budget_views, queue_views, views  # noqa: F401  (routes join the blueprint)
from app.money.blueprint import bp

__all__ = ["bp"]
