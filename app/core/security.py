"""Response headers, session lifetime and safe redirects."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask_login import current_user, logout_user

from app.core.db import utcnow


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def set_security_headers(response):
    nonce = csp_nonce()
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'self'; "
        "object-src 'none'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    is_static = (request.endpoint or "").endswith("static")
    if not is_static and (current_user.is_authenticated or request.endpoint in _SENSITIVE_PUBLIC):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


# Pages reached by emailed secrets should not be cached either.
_SENSITIVE_PUBLIC = {
    "accounts.accept_invitation",
    "accounts.reset_password",
    "accounts.confirm_email",
    "accounts.sign_in",
}


def _parse(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


SEEN_STEP = timedelta(minutes=1)


def check_session_age() -> None:
    """End a session idle for 30 minutes or older than 12 hours."""
    if not current_user.is_authenticated:
        return
    now = utcnow()
    started, seen = _parse(session.get("auth_at")), _parse(session.get("seen_at"))
    cfg = current_app.config
    if (
        started is None
        or seen is None
        or now - started > cfg["SESSION_ABSOLUTE_TIMEOUT"]
        or now - seen > cfg["SESSION_IDLE_TIMEOUT"]
    ):
        logout_user()
        session.clear()
        session["expired"] = True
        return
    # Written at most once a minute: an unchanged session is not signed and sent again
    # (SESSION_REFRESH_EACH_REQUEST is off), which every page paid for. The idle limit
    # moves by under a minute.
    if now - seen >= SEEN_STEP:
        session["seen_at"] = now.isoformat()


def start_session() -> None:
    now = utcnow().isoformat()
    session["auth_at"] = now
    session["seen_at"] = now
    session.permanent = True


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: never another host, scheme or `//host`."""
    if not target or not isinstance(target, str):
        return None
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def register_security(app: Flask) -> None:
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
