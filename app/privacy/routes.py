"""Every data protection route, loaded together for registration."""

from app.privacy import views  # noqa: F401  (its routes join the blueprint)
from app.privacy.blueprint import bp

__all__ = ["bp"]
