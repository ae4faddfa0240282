"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and recovery codes.

Who must use it is decided here and nowhere else (`required_for`, `must_set_up`); the
`gate` before-request hook keeps a person who must set it up away from every other
page. Codes go through the same database limiter as passwords
(`services.throttled`), a code's time step is stored so it works once, and one step
of clock drift either way is allowed.
"""

from __future__ import annotations

import re
import secrets
import time

import pyotp
import segno
from flask import current_app, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import delete, or_, select, update

from app.accounts.models import RecoveryCode, SignInFailure, User
from app.accounts.passwords import hash_password, verify_password
from app.accounts.services import (
    AccountError,
    Throttled,
    end_all_sessions,
    record_failure,
    throttled,
)
from app.core import audit
from app.core.db import utcnow
from app.core.mail import external_url, queue_email
from app.core.roles import Role
from app.core.state import lock
from app.extensions import db

# Programme staff, and everyone who can see more than their own records.
REQUIRED_ROLES = frozenset(
    {
        Role.STAFF,
        Role.PSW,
        Role.LINE_MANAGER,
        Role.ASSISTANT_DIRECTOR,
        Role.SUPERVISOR,
        Role.COACH,
    }
)
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a phone clock one step fast or slow still works
RECOVERY_CODES = 10
ISSUER = "Practitioner Researcher Programme"

# What a person who must set up two-factor sign-in may still reach (fail closed: every
# other page, the public home page with its dashboard included, sends them to set-up).
SET_UP_ENDPOINTS = frozenset(
    {
        "accounts.two_factor_set_up",
        "accounts.sign_out",
        "home.healthz",
        "home.accessibility",
        "home.privacy",
    }
)

WRONG_CODE = (
    "The code is not correct or has expired. Enter the 6-digit code your "
    "authenticator app shows now"
)
REUSED_CODE = "That code has already been used. Wait for your app to show a new code, then enter it"
MALFORMED_CODE = "Enter the 6-digit code from your authenticator app, like 123456"
WRONG_RECOVERY = "The recovery code is not correct or has already been used"
MALFORMED_RECOVERY = "Enter a recovery code, like 1a2b3-c4d5e"
CODE_THROTTLED = "There have been too many attempts to enter a code. Wait 15 minutes and try again."


# Who ------------------------------------------------------------------------------


def exempt(user: User) -> bool:
    """Outside production: demo accounts, and every account when tests switch it off."""
    cfg = current_app.config
    if cfg.get("APP_ENV") == "production":
        return False
    return bool(user.demo_account) or not cfg.get("TWO_FACTOR_ENFORCED", True)


def required_for(user: User) -> bool:
    return bool(user.roles & REQUIRED_ROLES) and not exempt(user)


def is_on(user: User) -> bool:
    return user.totp_enabled_at is not None


def must_set_up(user: User) -> bool:
    return required_for(user) and not is_on(user)


def may_turn_off(user: User) -> bool:
    return is_on(user) and not required_for(user)


def gate():
    """before_request, after the access rules: someone who must set up two-factor
    sign-in does that before anything else."""
    endpoint = request.endpoint or ""
    if (
        not endpoint
        or endpoint.endswith("static")
        or endpoint in SET_UP_ENDPOINTS
        or not current_user.is_authenticated
    ):
        return None
    if must_set_up(current_user):
        return redirect(url_for("accounts.two_factor_set_up"))
    return None


# Codes ----------------------------------------------------------------------------


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG: drawn here, nothing fetched from anywhere."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#212b32", light="#ffffff", title="QR code"
    )
    return Markup(svg)  # noqa: S704 - segno's own SVG of our URI


def spaced(secret: str) -> str:
    """The key in groups of four, easier to type."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def current_step() -> int:
    return int(time.time()) // STEP_SECONDS


def _clean_code(code: str | None) -> str | None:
    value = re.sub(r"[\s-]", "", code or "")
    return value if re.fullmatch(r"\d{6}", value) else None


def matching_step(secret: str, code: str, after: int | None = None) -> int | None:
    """The time step (now, or one either side) whose code is `code`, and later than
    `after`; None when there is none. Every candidate is compared in constant time."""
    totp = pyotp.TOTP(secret)
    now = current_step()
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code) and (
            after is None or step > after
        ):
            found = step
    return found


def _keys(user: User, address: str | None) -> list[tuple[str, int]]:
    cfg = current_app.config
    keys = [(f"code:{user.id}", cfg["THROTTLE_PER_ACCOUNT"])]
    if address:
        keys.append((f"address:{address}", cfg["THROTTLE_PER_ADDRESS"]))
    return keys


def _refuse(user: User, address: str | None, message: str) -> AccountError:
    record_failure(_keys(user, address))
    return AccountError(message)


def _guard(user: User, address: str | None) -> None:
    if throttled(_keys(user, address)):
        raise Throttled(CODE_THROTTLED)


def _succeeded(user: User) -> None:
    db.session.execute(delete(SignInFailure).where(SignInFailure.key == f"code:{user.id}"))


def check_code(user: User, code: str | None, address: str | None) -> None:
    """A sign-in code: right, not used before, not throttled; or AccountError."""
    _guard(user, address)
    cleaned = _clean_code(code)
    if cleaned is None:
        raise _refuse(user, address, MALFORMED_CODE)
    if not is_on(user) or not user.totp_secret:
        raise _refuse(user, address, WRONG_CODE)
    step = matching_step(user.totp_secret, cleaned)
    if step is None:
        raise _refuse(user, address, WRONG_CODE)
    # Compare-and-set: of two requests with one code (two workers, or a replay), only
    # the first moves the step on.
    moved = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise _refuse(user, address, REUSED_CODE)
    _succeeded(user)


# Recovery codes ---------------------------------------------------------------------


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # 40 bits each, single use, behind the limiter
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_password(raw)))
    return codes


def unused_recovery_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def use_recovery_code(user: User, code: str | None, address: str | None) -> int:
    """Sign in with a recovery code instead of the app: the code stops working, every
    other session ends. Returns how many codes are left."""
    _guard(user, address)
    raw = re.sub(r"[\s-]", "", (code or "").lower())
    if not re.fullmatch(r"[0-9a-f]{10}", raw):
        raise _refuse(user, address, MALFORMED_RECOVERY)
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    match = next((c for c in unused if verify_password(c.code_hash, raw)), None)
    if match is None:
        raise _refuse(user, address, WRONG_RECOVERY)
    used = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:  # the same code in two requests at once
        raise _refuse(user, address, WRONG_RECOVERY)
    _succeeded(user)
    lock(user)
    end_all_sessions(user)
    left = len(unused) - 1
    audit.record(
        "user.recovery_code_used",
        user,
        actor=user,
        summary=f"Signed in with a recovery code; {left} left",
    )
    queue_email(
        user.email,
        "A recovery code was used to sign in to your account",
        "two_factor_recovery_used",
        user=user,
        name=user.name,
        left=left,
        account_url=external_url("accounts.two_factor"),
    )
    return left


# Turning it on and off --------------------------------------------------------------


def turn_on(user: User, secret: str, code: str | None, address: str | None) -> list[str]:
    """Finish set-up with the first code from the app; returns the recovery codes,
    to be shown once. Every other session ends."""
    _guard(user, address)
    cleaned = _clean_code(code)
    if cleaned is None:
        raise _refuse(user, address, MALFORMED_CODE)
    step = matching_step(secret, cleaned)
    if step is None:
        raise _refuse(user, address, WRONG_CODE)
    lock(user)
    if is_on(user):
        raise AccountError("Two-factor sign-in is already on for your account.")
    _succeeded(user)
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    end_all_sessions(user)
    audit.record(
        "user.two_factor_on",
        user,
        actor=user,
        changes={"two_factor": [False, True]},
        summary="Turned on two-factor sign-in",
    )
    queue_email(
        user.email,
        "Two-factor sign-in is now on for your account",
        "two_factor_on",
        user=user,
        name=user.name,
        reset_url=external_url("accounts.forgot_password"),
    )
    return codes


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_all_sessions(user)


def turn_off(user: User, password: str) -> None:
    """The person turns it off themselves (only when their roles do not need it)."""
    if not verify_password(user.password_hash, password):
        raise AccountError("Your password is not correct")
    lock(user)
    if not is_on(user):
        raise AccountError("Two-factor sign-in is already off for your account.")
    if required_for(user):
        raise AccountError("Your role needs two-factor sign-in, so it cannot be turned off.")
    _clear(user)
    audit.record(
        "user.two_factor_off",
        user,
        actor=user,
        changes={"two_factor": [True, False]},
        summary="Turned off two-factor sign-in",
    )
    queue_email(
        user.email,
        "Two-factor sign-in is now off for your account",
        "two_factor_off",
        user=user,
        name=user.name,
        reset_url=external_url("accounts.forgot_password"),
    )


def new_recovery_codes(user: User, password: str) -> list[str]:
    if not verify_password(user.password_hash, password):
        raise AccountError("Your password is not correct")
    lock(user)
    if not is_on(user):
        raise AccountError("Set up two-factor sign-in first.")
    codes = _new_recovery_codes(user)
    audit.record("user.recovery_codes_replaced", user, actor=user, summary="New recovery codes")
    return codes


def staff_reset(actor: User, user: User) -> None:
    """Programme staff clear a person's second factor (a lost phone): they set it up
    again at their next sign-in, and are told by email."""
    if actor.id == user.id:
        raise AccountError("Ask another member of programme staff to reset your own.")
    lock(user)
    if not is_on(user):
        raise AccountError(f"{user.name} has not set up two-factor sign-in.")
    _clear(user)
    audit.record(
        "user.two_factor_reset",
        user,
        actor=actor,
        changes={"two_factor": [True, False]},
        summary=f"Reset two-factor sign-in of {user.email}",
    )
    queue_email(
        user.email,
        "Your two-factor sign-in has been reset",
        "two_factor_reset",
        user=user,
        name=user.name,
        staff_name=actor.name,
        sign_in_url=external_url("accounts.sign_in"),
    )
