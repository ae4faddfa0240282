"""Every documents route, loaded together for registration."""

from app.documents import (  # noqa: F401  (their routes join the blueprint)
    agreement_views,
    certificate_views,
    handbook_views,
)
from app.documents.blueprint import bp

__all__ = ["bp"]
