"""Every outputs route, loaded together for registration."""

from app.outputs import (  # noqa: F401  (their routes join the blueprint)
    showcase_views,
    staff_views,
    views,
)
from app.outputs.blueprint import bp

__all__ = ["bp"]
