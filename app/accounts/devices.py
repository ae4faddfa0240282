"""Known devices and recent sign-ins: an email when someone signs in from a new one.

A device is a browser holding our long-lived cookie: a random token, stored here only
as its SHA-256 hash. Nothing about the browser is fingerprinted; clearing cookies or
a new browser makes a new device. The browser's own description (User-Agent) is kept
only to help the person recognise it in the list and the email.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from sqlalchemy import func, select

from app.accounts.models import KnownDevice, SignInEvent, SignInMethod, User
from app.accounts.services import record_sign_in
from app.core.db import utcnow
from app.core.formatting import format_datetime
from app.core.mail import external_url, queue_email
from app.core.pagination import paginate, parse_page
from app.extensions import db

COOKIE = "prp_device"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def describe_browser(user_agent: str | None) -> str:
    """A short, plain description: 'Firefox on Windows'. Unknown: the raw text, cut."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for key, name in (
                ("Edg/", "Edge"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if key in ua
        ),
        None,
    )
    system = next(
        (
            name
            for key, name in (
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Android", "Android"),
                ("Windows", "Windows"),
                ("Mac OS X", "Mac"),
                ("CrOS", "Chromebook"),
                ("Linux", "Linux"),
            )
            if key in ua
        ),
        None,
    )
    if browser and system:
        return f"{browser} on {system}"
    return (browser or system or ua or "Unknown browser")[:200]


def complete_sign_in(
    user: User,
    method: SignInMethod,
    address: str | None,
    user_agent: str | None,
    device_token: str | None,
) -> str | None:
    """Record a finished sign-in. Returns a new device token for the cookie when this
    browser was not known for this person (and emails them, unless it is their first
    device ever)."""
    record_sign_in(user)
    browser = describe_browser(user_agent)
    now = utcnow()
    device = None
    if device_token and len(device_token) <= 100:
        device = db.session.scalar(
            select(KnownDevice).where(
                KnownDevice.token_hash == _hash(device_token), KnownDevice.user_id == user.id
            )
        )
    new_token = None
    if device is not None:
        device.last_seen_at = now
    else:
        had_devices = db.session.scalar(
            select(func.count(KnownDevice.id)).where(KnownDevice.user_id == user.id)
        )
        new_token = secrets.token_urlsafe(32)
        db.session.add(
            KnownDevice(
                user_id=user.id,
                token_hash=_hash(new_token),
                browser=browser,
                created_at=now,
                last_seen_at=now,
            )
        )
        if had_devices:
            queue_email(
                user.email,
                "New sign-in to your Practitioner Researcher Programme account",
                "new_device_sign_in",
                user=user,
                name=user.name,
                when=format_datetime(now),
                browser=browser,
                address=address or "unknown",
                sign_ins_url=external_url("accounts.recent_sign_ins"),
                reset_url=external_url("accounts.forgot_password"),
            )
    db.session.add(
        SignInEvent(
            user_id=user.id,
            at=now,
            method=method,
            address=(address or "")[:64],
            browser=browser,
            new_device=new_token is not None,
        )
    )
    return new_token


def set_cookie(response, token: str) -> None:
    cfg = current_app.config
    response.set_cookie(
        COOKIE,
        token,
        max_age=cfg["DEVICE_COOKIE_DAYS"] * 24 * 3600,
        httponly=True,
        secure=bool(cfg.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
        path="/account/",
    )


def recent_sign_ins(user: User, page: object):
    stmt = (
        select(SignInEvent)
        .where(SignInEvent.user_id == user.id)
        .order_by(SignInEvent.at.desc(), SignInEvent.id.desc())
    )
    return paginate(stmt, parse_page(page), current_app.config["PER_PAGE"])
