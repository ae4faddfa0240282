"""Every supervision route, loaded together for registration."""

from app.supervision import (  # noqa: F401  (their routes join the blueprint)
    onboarding_views,
    report_views,
    views,
)
from app.supervision.blueprint import bp

__all__ = ["bp"]
