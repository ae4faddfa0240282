"""Read-side queries for the people pages."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User, UserRole, UserStatus
from app.core.pagination import Page, paginate, parse_page
from app.core.params import clean_text
from app.core.roles import Role
from app.organisations.models import Membership

STATUS_CHOICES = [(s.value, s.label) for s in UserStatus]


@dataclass
class UserFilters:
    q: str = ""
    role: str = ""
    status: str = ""
    unconfirmed: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> UserFilters:
        role = args.get("role", "")
        status = args.get("status", "")
        return cls(
            q=clean_text(args.get("q", "") or "")[:100].strip(),
            role=role if role in {r.value for r in Role} else "",
            status=status if status in {s.value for s in UserStatus} else "",
            unconfirmed=args.get("unconfirmed") == "1",
            page=parse_page(args.get("page")),
        )


def list_users(f: UserFilters) -> Page:
    stmt = select(User).options(selectinload(User.memberships).joinedload(Membership.organisation))
    if f.q:
        like = f"%{f.q.lower()}%"
        stmt = stmt.where(or_(User.email.like(like), User.name.ilike(like)))
    if f.role:
        stmt = stmt.where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == Role(f.role)))
        )
    if f.status:
        stmt = stmt.where(User.status == UserStatus(f.status))
    if f.unconfirmed:
        stmt = stmt.where(User.invited_by_id.is_not(None), User.access_confirmed_by_id.is_(None))
    stmt = stmt.order_by(User.name, User.id)
    return paginate(stmt, f.page, current_app.config["PER_PAGE"])


def unconfirmed_count() -> int:
    """People invited by applicants whose roles staff have not yet confirmed."""
    from sqlalchemy import func

    from app.extensions import db

    return (
        db.session.scalar(
            select(func.count(User.id)).where(
                User.invited_by_id.is_not(None),
                User.access_confirmed_by_id.is_(None),
                User.status != UserStatus.DEACTIVATED,
            )
        )
        or 0
    )
