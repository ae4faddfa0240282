"""Every evaluation route, loaded together for registration."""

from app.evaluation import views  # noqa: F401  (its routes join the blueprint)
from app.evaluation.blueprint import bp

__all__ = ["bp"]
