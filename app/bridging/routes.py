"""Every bridging route, loaded together for registration."""

from app.bridging import views  # noqa: F401  (its routes join the blueprint)
from app.bridging.blueprint import bp

__all__ = ["bp"]
