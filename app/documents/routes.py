"""Every documents route, loaded together for registration."""

from app.documents import agreement_views, handbook_views  # noqa: F401  (routes join bp)
from app.documents.blueprint import bp

__all__ = ["bp"]
