"""Factories: create records in the real database and hand back detached copies.

Returned objects carry their column values (id, email, ...) but are not bound
to a session, so tests can use them while driving the app through HTTP.
"""

from __future__ import annotations

import itertools
from typing import Any

from app.accounts.models import User, UserRole, UserStatus
from app.accounts.passwords import hash_password
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Membership, Nation, Organisation, OrgKind

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


class Factory:
    def __init__(self, app):
        self.app = app
        self._hash: str | None = None

    def _detach(self, obj: Any) -> Any:
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def org(
        self,
        name: str | None = None,
        kind: OrgKind = OrgKind.LOCAL_AUTHORITY,
        adults: bool = True,
        children: bool = True,
        nation: Nation = Nation.ENGLAND_AND_WALES,
    ) -> Organisation:
        with self.app.app_context():
            org = Organisation(
                name=name or f"Test Borough Council {next(_seq)}",
                kind=kind,
                adults_services=adults if kind == OrgKind.LOCAL_AUTHORITY else False,
                childrens_services=children if kind == OrgKind.LOCAL_AUTHORITY else False,
                nation=nation,
            )
            db.session.add(org)
            db.session.commit()
            return self._detach(org)

    def user(
        self,
        *roles: Role | str,
        email: str | None = None,
        name: str | None = None,
        orgs: list[Organisation] | None = None,
        status: UserStatus = UserStatus.ACTIVE,
        password: str | None = PASSWORD,
    ) -> User:
        with self.app.app_context():
            if password == PASSWORD:
                if self._hash is None:
                    self._hash = hash_password(PASSWORD)
                pw_hash = self._hash
            else:
                pw_hash = hash_password(password) if password else None
            n = next(_seq)
            user = User(
                email=(email or f"person{n}@example.test").lower(),
                name=name or f"Test Person {n}",
                password_hash=pw_hash,
                status=status,
            )
            for role in roles or (Role.APPLICANT,):
                user.role_links.append(UserRole(role=Role(role)))
            for org in orgs or []:
                user.memberships.append(Membership(organisation_id=org.id))
            db.session.add(user)
            db.session.commit()
            return self._detach(user)

    def reload(self, model: type, ident: int) -> Any:
        with self.app.app_context():
            obj = db.session.get(model, ident)
            assert obj is not None
            # touch relationships the tests read
            if isinstance(obj, User):
                _ = obj.role_links
            return self._detach(obj)
