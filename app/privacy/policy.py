"""Who may do what with data protection: programme staff act for anyone; everyone may
download their own copy. Staff may not erase themselves (another member of staff does)."""

from __future__ import annotations

from app.core.roles import Role


def can_manage(user) -> bool:
    return user.has_role(Role.STAFF)


def can_erase(user, person) -> bool:
    return can_manage(user) and person.id != user.id
