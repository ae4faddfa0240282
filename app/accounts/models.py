"""People, their roles and the single-use tokens emailed to them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_type, utcnow
from app.core.roles import Role
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, personal

if TYPE_CHECKING:
    from app.organisations.models import Membership, Organisation


class UserStatus(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # registered, email not yet confirmed
    INVITED = "invited"  # invited by staff, no password yet
    ACTIVE = "active"
    DEACTIVATED = "deactivated"

    @property
    def label(self) -> str:
        return {
            "unconfirmed": "Email not confirmed",
            "invited": "Invited",
            "active": "Active",
            "deactivated": "Deactivated",
        }[self.value]


UNCONFIRMED_SQL = "invited_by_id IS NOT NULL AND access_confirmed_by_id IS NULL"
# Roles anyone may take by registering: they need no confirmation by programme staff.
SELF_SERVICE_ROLES = frozenset({Role.APPLICANT})


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        UniqueConstraint("email"),
        CheckConstraint("email = lower(email)", name="email_lower"),
        Index("ix_user_name", "name", "id"),  # the people list, A to Z
        # the staff home card and filter: invited by an applicant, roles not yet confirmed
        Index(
            "ix_user_unconfirmed",
            "id",
            sqlite_where=text(UNCONFIRMED_SQL),
            postgresql_where=text(UNCONFIRMED_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(
        String(254), info=personal(Category.CONTACT, Retention.ACCOUNT)
    )
    name: Mapped[str] = mapped_column(
        String(200), info=personal(Category.CONTACT, Retention.ACCOUNT)
    )
    password_hash: Mapped[str | None] = mapped_column(
        String(255), info=personal(Category.ACCOUNT, Retention.ACCOUNT, export=False)
    )
    status: Mapped[UserStatus] = mapped_column(
        enum_type(UserStatus, 16),
        default=UserStatus.UNCONFIRMED,
        index=True,
    )
    # Bumped on sign-out, password change and deactivation: every session and
    # cookie issued before then carries the old number and stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Who invited this person; an applicant can invite their own line manager or PSW, and
    # such roles carry no authority (e.g. to sign off) until programme staff confirm them.
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        index=True,
        info=personal(Category.ACCOUNT, Retention.ACCOUNT, person=Person.ACTOR),
    )
    access_confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        info=personal(Category.ACCOUNT, Retention.ACCOUNT, person=Person.ACTOR),
    )
    # Two-factor sign-in (app.accounts.twofactor): the authenticator key, when it was
    # turned on, and the last 30-second time step a code was accepted for (no replay).
    totp_secret: Mapped[str | None] = mapped_column(
        String(64), info=personal(Category.ACCOUNT, Retention.ACCOUNT, export=False)
    )
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Made by `flask demo`: outside production such accounts need no second factor.
    demo_account: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    role_links: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    invited_by: Mapped[User | None] = relationship(
        remote_side="User.id", foreign_keys=[invited_by_id]
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login ----------------------------------------------------------
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.status == UserStatus.ACTIVE

    # Roles ------------------------------------------------------------------
    @property
    def granted_roles(self) -> set[Role]:
        """Every role on the account, confirmed or not: what staff see and edit."""
        return {link.role for link in self.role_links}

    @property
    def roles(self) -> set[Role]:
        """The roles that carry authority: the one place every role check reads.

        A role given by someone other than programme staff (an applicant naming their
        PSW or line manager) is no role at all until staff confirm it, so every check,
        present and future, refuses it without knowing about invitations. Only the
        roles anyone may take by registering survive."""
        granted = self.granted_roles
        if self.needs_staff_confirmation:
            return granted & SELF_SERVICE_ROLES
        return granted

    @property
    def pending_roles(self) -> set[Role]:
        """Roles waiting for programme staff to confirm them."""
        return self.granted_roles - self.roles

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        """Labels of every role on the account (confirmed or not), in the usual order."""
        return [r.label for r in sorted(self.granted_roles, key=lambda r: list(Role).index(r))]

    @property
    def needs_staff_confirmation(self) -> bool:
        """Invited by someone other than programme staff, and not yet confirmed by staff."""
        return self.invited_by_id is not None and self.access_confirmed_by_id is None

    @classmethod
    def roles_confirmed(cls):
        """SQL twin of `not needs_staff_confirmation`, for queries that pick people by role."""
        return or_(cls.invited_by_id.is_(None), cls.access_confirmed_by_id.is_not(None))

    @property
    def organisations(self) -> list[Organisation]:
        return [m.organisation for m in self.memberships]

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"),
        index=True,
        info=personal(Category.ACCOUNT, Retention.ACCOUNT, person=Person.SUBJECT),
    )
    role: Mapped[Role] = mapped_column(enum_type(Role, 32), index=True)

    user: Mapped[User] = relationship(back_populates="role_links")


class TokenPurpose(enum.StrEnum):
    CONFIRM_EMAIL = "confirm_email"
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a secret


class UserToken(db.Model):
    """A single-use, expiring link. Only a hash of the secret is stored."""

    __tablename__ = "user_token"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"),
        index=True,
        info=personal(Category.ACCOUNT, Retention.SHORT, person=Person.SUBJECT),
    )
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose, 32))
    token_hash: Mapped[str] = mapped_column(
        String(64), info=personal(Category.ACCOUNT, Retention.SHORT, export=False)
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class SignInFailure(db.Model):
    """One failed sign-in. Kept in the database so every worker sees the same count."""

    __tablename__ = "sign_in_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(
        String(300), index=True, info=personal(Category.ACCOUNT, Retention.SHORT)
    )
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


# Sign-in security data: the person's own, kept while the account is open, and the
# secrets among it never exported (a subject access request lists the sign-ins).
_OWNER = personal(Category.ACCOUNT, Retention.ACCOUNT, person=Person.SUBJECT)
_SECRET = personal(Category.ACCOUNT, Retention.ACCOUNT, export=False)
# Sign-ins and devices are kept only a short time (issue 20): the purge deletes sign-ins
# and devices not seen for the SHORT period (a forgotten device is "new" once more).
_SHORT_OWNER = personal(Category.ACCOUNT, Retention.SHORT, person=Person.SUBJECT)
_SHORT_SECRET = personal(Category.ACCOUNT, Retention.SHORT, export=False)
_SHORT = personal(Category.ACCOUNT, Retention.SHORT)


class RecoveryCode(db.Model):
    """A single-use code for when the authenticator is lost; only its argon2 hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True, info=_OWNER
    )
    code_hash: Mapped[str] = mapped_column(String(255), info=_SECRET)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class KnownDevice(db.Model):
    """A browser someone has signed in from: a random token in a long-lived cookie, stored
    here only as a SHA-256 hash. No fingerprinting: a cleared cookie is a new device."""

    __tablename__ = "known_device"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True, info=_SHORT_OWNER
    )
    token_hash: Mapped[str] = mapped_column(String(64), info=_SHORT_SECRET)
    browser: Mapped[str] = mapped_column(String(200), default="", info=_SHORT)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # indexed for the retention purge: a device unused for the period is forgotten
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class SignInMethod(enum.StrEnum):
    PASSWORD = "password"  # noqa: S105 - a method, not a secret
    CODE = "code"
    RECOVERY_CODE = "recovery_code"

    @property
    def label(self) -> str:
        return {
            "password": "Password",
            "code": "Password and authenticator code",
            "recovery_code": "Password and recovery code",
        }[self.value]


class SignInEvent(db.Model):
    """One successful sign-in, for the person's own list of recent sign-ins."""

    __tablename__ = "sign_in_event"
    __table_args__ = (Index("ix_sign_in_event_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), info=_SHORT_OWNER
    )
    # indexed for the retention purge, which counts and deletes those past the period
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    method: Mapped[SignInMethod] = mapped_column(enum_type(SignInMethod, 16))
    address: Mapped[str] = mapped_column(String(64), default="", info=_SHORT)
    browser: Mapped[str] = mapped_column(String(200), default="", info=_SHORT)
    new_device: Mapped[bool] = mapped_column(Boolean, default=False)


__all__ = [
    "KnownDevice",
    "RecoveryCode",
    "SignInEvent",
    "SignInMethod",
    "User",
    "UserRole",
    "UserToken",
    "SignInFailure",
    "UserStatus",
    "TokenPurpose",
]
