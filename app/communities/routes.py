"""Every communities route, loaded together for registration."""

from app.communities import (  # noqa: F401  (their routes and commands join the blueprint)
    calendar_views,
    digest,
    home_cards,
    meeting_views,
    priority_views,
    report_views,
    support_views,
    views,
    workspace_views,
)
from app.communities.blueprint import bp

__all__ = ["bp"]
