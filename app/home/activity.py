"""Who a person is here when their roles say little: everyone who registers gets the
applicant role, so a carer who joined only a community of practice was greeted as an
applicant ("Your applications" in the header, "You are signed in as applicant"). The
header and the home page speak to such a person as a community member instead, until
they start an application."""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import select

from app.core.roles import Role
from app.extensions import db


def community_member(user) -> bool:
    """A member (not asking, not left) of at least one community of practice."""
    from app.communities.calendar import is_member_anywhere

    return _cached("member", user, lambda: is_member_anywhere(user.id))


def known_member(user, member: bool) -> None:
    """What `community_member` would find, already read by the caller (the home page's
    communities card lists the person's communities): saves the header its query."""
    if has_request_context():
        setattr(g, f"_activity_member_{user.id}", member)


def community_only(user) -> bool:
    """The applicant role and no other, no application started, and a community member:
    what this person does here is take part in communities."""
    if user.roles != {Role.APPLICANT}:
        return False
    return _cached("community_only", user, lambda: not _applied(user) and community_member(user))


def _applied(user) -> bool:
    from app.applications.models import Application

    first = select(Application.id).where(Application.applicant_id == user.id).limit(1)
    return db.session.scalar(first) is not None


def _cached(name: str, user, compute) -> bool:
    """Once per request (the header asks on every page)."""
    if not has_request_context():
        return compute()
    key = f"_activity_{name}_{user.id}"
    if key not in g:
        setattr(g, key, compute())
    return getattr(g, key)
