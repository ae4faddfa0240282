"""Every money route, loaded together for registration."""

from app.money import (  # noqa: F401  (their routes join the blueprint)
    backfill_views,
    budget_views,
    queue_views,
    views,
)
from app.money.blueprint import bp

__all__ = ["bp"]
