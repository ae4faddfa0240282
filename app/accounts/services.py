"""Account rules: registration, invitations, sign-in, passwords, deactivation.

Each function validates, changes state, writes an audit entry and queues any
email; the view commits once and then delivers mail.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import joinedload

from app.accounts.models import SignInFailure, TokenPurpose, User, UserRole, UserStatus, UserToken
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.core import audit
from app.core.db import utcnow
from app.core.mail import external_url, queue_email
from app.core.roles import Role
from app.core.state import claim, lock
from app.extensions import db
from app.organisations.models import Membership, Organisation


class AccountError(Exception):
    """A rule refused the action; the message is shown to the user."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# Values every page shows about the signed-in person (the header's unread count), loaded in
# the same query as the person: each round trip to the database is most of a small page's
# time. name -> a function giving a scalar subquery correlated to User. Features register
# theirs with `load_with_user`; the value is on `user.request_extras[name]` for the request.
_EXTRAS: dict[str, Callable[[], Any]] = {}


def load_with_user(name: str, subquery: Callable[[], Any]) -> None:
    _EXTRAS[name] = subquery


def load_user(session_id: str) -> User | None:
    """Flask-Login loader. The id carries the session version, so old sessions fail."""
    try:
        user_id, version = (int(x) for x in session_id.split(":"))
    except (ValueError, AttributeError):
        return None
    names = list(_EXTRAS)
    # roles in the same query: every page asks them (navigation, access rules)
    row = (
        db.session.execute(
            select(User, *(_EXTRAS[n]().label(n) for n in names))
            .options(joinedload(User.role_links))
            .where(User.id == user_id)
        )
        .unique()
        .first()
    )
    if row is None:
        return None
    user = row[0]
    if user.session_version != version or not user.is_active:
        return None
    user.request_extras = dict(zip(names, row[1:], strict=True))
    return user


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


# Tokens -------------------------------------------------------------------


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    """Create a single-use token; earlier unused tokens of the same purpose stop working."""
    now = utcnow()
    for old in db.session.scalars(
        select(UserToken).where(
            UserToken.user_id == user.id, UserToken.purpose == purpose, UserToken.used_at.is_(None)
        )
    ):
        old.used_at = now
    secret = secrets.token_urlsafe(32)
    db.session.add(
        UserToken(
            user=user,
            purpose=purpose,
            token_hash=_hash_token(secret),
            expires_at=now + lifetime,
        )
    )
    return secret


def token_state(secret: str, purpose: TokenPurpose) -> tuple[str, UserToken | None]:
    """('ok'|'unknown'|'used'|'expired', token) without consuming it."""
    if not secret or len(secret) > 200:
        return "unknown", None
    token = db.session.scalar(
        select(UserToken).where(
            UserToken.token_hash == _hash_token(secret), UserToken.purpose == purpose
        )
    )
    if token is None:
        return "unknown", None
    if token.used_at is not None:
        return "used", token
    if token.expires_at < utcnow():
        return "expired", token
    return "ok", token


def consume_token(secret: str, purpose: TokenPurpose) -> User:
    state, token = token_state(secret, purpose)
    if state != "ok" or token is None:
        raise AccountError(TOKEN_MESSAGES[state])
    # two clicks of one link at once: one uses it, the other is told it was used
    claim(token, [None], lambda _: AccountError(TOKEN_MESSAGES["used"]), attr="used_at")
    token.used_at = utcnow()
    return token.user


TOKEN_MESSAGES = {
    "unknown": "This link is not valid. Check you copied the whole link from the email.",
    "used": "This link has already been used. Each link works once.",
    "expired": "This link has expired.",
}


# Registration and invitations ----------------------------------------------


def register_applicant(name: str, email: str, password: str) -> User | None:
    """Create an unconfirmed applicant and email a confirmation link.

    If the email is taken we say nothing on screen (no account discovery) and
    email the owner instead.
    """
    email = normalise_email(email)
    existing = find_by_email(email)
    if existing is not None:
        queue_email(
            email,
            "Someone tried to register with your email address",
            "register_existing",
            user=existing,
            name=existing.name,
            sign_in_url=external_url("accounts.sign_in"),
            reset_url=external_url("accounts.forgot_password"),
        )
        return None
    user = User(
        name=name.strip(),
        email=email,
        password_hash=hash_password(password),
        status=UserStatus.UNCONFIRMED,
    )
    user.role_links.append(UserRole(role=Role.APPLICANT))
    db.session.add(user)
    db.session.flush()
    secret = issue_token(
        user, TokenPurpose.CONFIRM_EMAIL, current_app.config["CONFIRMATION_LIFETIME"]
    )
    queue_email(
        email,
        "Confirm your email address",
        "confirm_email",
        user=user,
        name=user.name,
        url=external_url("accounts.confirm_email", token=secret),
    )
    audit.record("user.registered", user, actor=user, summary=f"{user.email} registered")
    return user


def confirm_email(secret: str) -> User:
    user = consume_token(secret, TokenPurpose.CONFIRM_EMAIL)
    if lock(user).status == UserStatus.UNCONFIRMED:
        user.status = UserStatus.ACTIVE
        audit.record(
            "user.email_confirmed", user, actor=user, changes={"status": ["unconfirmed", "active"]}
        )
    return user


def resend_confirmation(email: str) -> None:
    user = find_by_email(email)
    if user is None or user.status != UserStatus.UNCONFIRMED:
        return
    secret = issue_token(
        user, TokenPurpose.CONFIRM_EMAIL, current_app.config["CONFIRMATION_LIFETIME"]
    )
    queue_email(
        user.email,
        "Confirm your email address",
        "confirm_email",
        user=user,
        name=user.name,
        url=external_url("accounts.confirm_email", token=secret),
    )


def invite_user(
    actor: User,
    name: str,
    email: str,
    role_values: Iterable[Role],
    organisations: Iterable[Organisation],
) -> User:
    """Programme staff invite someone; they set their own password from the link."""
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise AccountError("Someone with this email address already has an account.")
    roles_set = set(role_values)
    if not roles_set:
        raise AccountError("Select at least one role.")
    user = User(name=name.strip(), email=email, status=UserStatus.INVITED, invited_by_id=actor.id)
    if actor.has_role(Role.STAFF):
        user.access_confirmed_by_id = actor.id
    for role in sorted(roles_set):
        user.role_links.append(UserRole(role=role))
    for org in organisations:
        user.memberships.append(Membership(organisation=org))
    db.session.add(user)
    db.session.flush()
    _send_invitation(actor, user)
    audit.record(
        "user.invited",
        user,
        actor=actor,
        summary=f"Invited {user.email}",
        changes={
            "roles": [[], sorted(r.value for r in roles_set)],
            "organisations": [[], sorted(o.name for o in user.organisations)],
        },
    )
    return user


def _send_invitation(actor: User, user: User) -> None:
    secret = issue_token(user, TokenPurpose.INVITATION, current_app.config["INVITATION_LIFETIME"])
    days = current_app.config["INVITATION_LIFETIME"].days
    queue_email(
        user.email,
        "You have been invited to the Practitioner Researcher Programme",
        "invitation",
        user=user,
        name=user.name,
        inviter=actor.name,
        roles=user.role_labels,
        days=days,
        url=external_url("accounts.accept_invitation", token=secret),
    )


def resend_invitation(actor: User, user: User) -> None:
    if user.status != UserStatus.INVITED:
        raise AccountError("Only people who have not yet accepted an invitation can be sent one.")
    _send_invitation(actor, user)
    audit.record("user.invitation_resent", user, actor=actor, summary=f"Re-invited {user.email}")


def accept_invitation(secret: str, password: str) -> User:
    user = consume_token(secret, TokenPurpose.INVITATION)
    claim(
        user,
        [UserStatus.INVITED],
        lambda _: AccountError(
            "This invitation is no longer valid. Ask programme staff for a new one."
        ),
    )
    user.password_hash = hash_password(password)
    user.status = UserStatus.ACTIVE
    audit.record(
        "user.invitation_accepted", user, actor=user, changes={"status": ["invited", "active"]}
    )
    return user


# Sign-in and throttling -----------------------------------------------------


class Throttled(AccountError):
    pass


class Unconfirmed(AccountError):
    pass


def _throttle_keys(email: str, address: str | None) -> list[tuple[str, int]]:
    cfg = current_app.config
    keys = [(f"account:{normalise_email(email)}", cfg["THROTTLE_PER_ACCOUNT"])]
    if address:
        keys.append((f"address:{address}", cfg["THROTTLE_PER_ADDRESS"]))
    return keys


def _is_throttled(email: str, address: str | None) -> bool:
    return throttled(_throttle_keys(email, address))


def throttled(keys: list[tuple[str, int]]) -> bool:
    """Has any key reached its limit of failures in the window? The one limiter for
    passwords and second-factor codes, kept in the database so every worker agrees."""
    since = utcnow() - current_app.config["THROTTLE_WINDOW"]
    if db.session.get_bind().dialect.name == "postgresql":
        # Serialise attempts on the same account and on the same address, so a burst of
        # parallel guesses cannot all pass a count before any failure is written (SQLite's
        # BEGIN IMMEDIATE already does). Every key is locked, in one fixed order (sorted)
        # so two attempts never wait on each other's second lock.
        for key in sorted(k for k, _limit in keys):
            db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    for key, limit in keys:
        count = db.session.scalar(
            select(func.count(SignInFailure.id)).where(
                SignInFailure.key == key, SignInFailure.at >= since
            )
        )
        if count >= limit:
            return True
    return False


THROTTLE_MESSAGE = (
    "There have been too many attempts to sign in. Wait 15 minutes and try again, "
    "or reset your password."
)
BAD_CREDENTIALS = "Enter a correct email address and password"


def record_failure(keys: list[tuple[str, int]]) -> None:
    """Count one failure against every key, committed at once: it must count even
    though the caller goes on to raise (and roll back)."""
    for key, _limit in keys:
        db.session.add(SignInFailure(key=key))
    db.session.commit()


def authenticate(email: str, password: str, address: str | None) -> User:
    """Check the password and record the sign-in (no second factor asked)."""
    user = check_password(email, password, address)
    record_sign_in(user)
    return user


def record_sign_in(user: User) -> None:
    user.last_sign_in_at = utcnow()
    audit.record("user.signed_in", user, actor=user)


def check_password(email: str, password: str, address: str | None) -> User:
    """Return the user or raise. Unknown email and wrong password get the same answer."""
    if _is_throttled(email, address):
        raise Throttled(THROTTLE_MESSAGE)
    user = find_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if (
        not ok
        or user is None
        or user.status == UserStatus.DEACTIVATED
        or user.password_hash is None
    ):
        record_failure(_throttle_keys(email, address))
        raise AccountError(BAD_CREDENTIALS)
    if user.status == UserStatus.UNCONFIRMED:
        raise Unconfirmed(
            "You need to confirm your email address before you can sign in. "
            "We have sent you a new link."
        )
    db.session.execute(delete(SignInFailure).where(SignInFailure.key == f"account:{user.email}"))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def end_all_sessions(user: User) -> None:
    """Every session and cookie issued so far stops working."""
    user.session_version = (user.session_version or 0) + 1


def sign_out(user: User) -> None:
    end_all_sessions(user)
    audit.record("user.signed_out", user, actor=user)


# Passwords -------------------------------------------------------------------


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("Your current password is not correct")
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    audit.record("user.password_changed", user, actor=user)
    queue_email(
        user.email,
        "Your password has been changed",
        "password_changed",
        user=user,
        name=user.name,
        reset_url=external_url("accounts.forgot_password"),
    )


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say the same thing either way."""
    user = find_by_email(email)
    if user is None or user.status in (UserStatus.DEACTIVATED, UserStatus.INVITED):
        return
    secret = issue_token(user, TokenPurpose.PASSWORD_RESET, current_app.config["RESET_LIFETIME"])
    queue_email(
        user.email,
        "Reset your password",
        "password_reset",
        user=user,
        name=user.name,
        url=external_url("accounts.reset_password", token=secret),
    )
    audit.record("user.password_reset_requested", user, actor=user)


def reset_password(secret: str, new: str) -> User:
    user = consume_token(secret, TokenPurpose.PASSWORD_RESET)
    if user.status == UserStatus.DEACTIVATED:
        raise AccountError("This account has been deactivated.")
    user.password_hash = hash_password(new)
    if user.status == UserStatus.UNCONFIRMED:
        user.status = UserStatus.ACTIVE  # they proved they read the inbox
    end_all_sessions(user)
    db.session.execute(delete(SignInFailure).where(SignInFailure.key == f"account:{user.email}"))
    audit.record("user.password_reset", user, actor=user)
    return user


# Staff administration --------------------------------------------------------


def deactivate_user(actor: User, user: User) -> None:
    if user.id == actor.id:
        raise AccountError("You cannot deactivate your own account.")
    before = claim(
        user,
        [UserStatus.ACTIVE, UserStatus.INVITED, UserStatus.UNCONFIRMED],
        lambda u: AccountError(f"{u.name} is already deactivated."),
    )
    user.status = UserStatus.DEACTIVATED
    end_all_sessions(user)
    audit.record(
        "user.deactivated",
        user,
        actor=actor,
        changes={"status": [before, user.status]},
        summary=f"Deactivated {user.email}",
    )


def reactivate_user(actor: User, user: User) -> None:
    from app.privacy.models import Erasure  # issue 20: an erased account stays closed

    if db.session.scalar(select(Erasure.id).where(Erasure.user_id == user.id).limit(1)):
        raise AccountError(
            "This person's data was erased at their request, so the account cannot be used "
            "again. They can register afresh."
        )
    claim(user, [UserStatus.DEACTIVATED], lambda u: AccountError(f"{u.name} is not deactivated."))
    user.status = UserStatus.ACTIVE if user.password_hash else UserStatus.INVITED
    audit.record(
        "user.reactivated",
        user,
        actor=actor,
        changes={"status": [UserStatus.DEACTIVATED, user.status]},
        summary=f"Reactivated {user.email}",
    )


def update_user_access(
    actor: User, user: User, role_values: Iterable[Role], organisations: Iterable[Organisation]
) -> None:
    """Set a user's roles and organisations (staff only)."""
    new_roles = set(role_values)
    if not new_roles:
        raise AccountError("Select at least one role.")
    if user.id == actor.id and Role.STAFF not in new_roles:
        raise AccountError("You cannot remove your own programme staff role.")
    before_roles = user.granted_roles
    before_orgs = {o.name for o in user.organisations}
    for link in list(user.role_links):
        if link.role not in new_roles:
            user.role_links.remove(link)
    for role in new_roles - before_roles:
        user.role_links.append(UserRole(role=role))
    wanted = {o.id: o for o in organisations}
    for m in list(user.memberships):
        if m.organisation_id not in wanted:
            user.memberships.remove(m)
    have = {m.organisation_id for m in user.memberships}
    for org_id, org in wanted.items():
        if org_id not in have:
            user.memberships.append(Membership(organisation=org))
    confirmed_now = user.needs_staff_confirmation
    if confirmed_now:
        user.access_confirmed_by_id = actor.id  # staff have now checked this person's roles
    changes = audit.diff(
        {"roles": before_roles, "organisations": before_orgs, "confirmed": not confirmed_now},
        {"roles": new_roles, "organisations": {o.name for o in wanted.values()}, "confirmed": True},
    )
    if changes:
        audit.record(
            "user.access_changed",
            user,
            actor=actor,
            changes=changes,
            summary=f"Changed roles or organisations of {user.email}",
        )
