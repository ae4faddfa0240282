"""Two-factor codes under gunicorn with three worker processes (issue 21): the limiter
and the one-use rule hold across workers, on SQLite and (TEST_DATABASE_URL) PostgreSQL.

The server, the scratch database and the cookie-keeping client are the password
throttle's (tests/test_throttle_workers.py)."""

from __future__ import annotations

import threading
import time

import pyotp
from sqlalchemy import func, select

from app.accounts import twofactor
from app.accounts.models import SignInFailure, User
from app.settings import Settings
from tests._served_app import build_app
from tests.conftest import csrf_from
from tests.factories import PASSWORD
from tests.test_throttle_workers import SIGN_IN, Client, serve, throttle_db  # noqa: F401

CODE_PAGE = "/account/two-factor/code"
LIMIT = Settings.THROTTLE_PER_ACCOUNT


def _turn_on(db_url: str, email: str) -> tuple[int, str]:
    """Two-factor sign-in on for `email`, as set-up leaves it (its own step spent)."""
    from app.core.db import utcnow
    from app.extensions import db

    app = build_app(db_url)
    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        user.totp_secret = secret
        user.totp_enabled_at = utcnow()
        user.totp_last_step = twofactor.current_step() - 2
        db.session.commit()
        user_id = user.id
        db.session.remove()
        db.engine.dispose()
    return user_id, secret


def _code_failures(db_url: str, user_id: int) -> int:
    from app.extensions import db

    app = build_app(db_url)
    with app.app_context():
        n = db.session.scalar(
            select(func.count(SignInFailure.id)).where(SignInFailure.key == f"code:{user_id}")
        )
        db.session.remove()
        db.engine.dispose()
    return n


def _after_password(server, email: str) -> tuple[Client, str]:
    """A client past the password, on the code page; and that page's CSRF token."""
    client = Client(server)
    _, _, html = client.request("GET", SIGN_IN)
    status, headers, _ = client.request(
        "POST", SIGN_IN, {"csrf_token": csrf_from(html), "email": email, "password": PASSWORD}
    )
    assert status == 302 and headers["Location"].endswith(CODE_PAGE)
    status, _, html = client.request("GET", CODE_PAGE)
    assert status == 200
    return client, csrf_from(html)


def _outcome(status: int, html: str) -> str:
    if status == 302:
        return "signed in"
    if twofactor.CODE_THROTTLED in html:
        return "throttled"
    if "already been used" in html:
        return "used"
    if "The code is not correct" in html:
        return "wrong"
    return f"unexpected: HTTP {status} {html[:300]!r}"


def _wrong(secret: str) -> str:
    good = {pyotp.TOTP(secret).at(time.time() + s * 30) for s in (-1, 0, 1, 2)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in good)


def _together(jobs) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def go(client, token, code):
        barrier.wait()
        status, _, html = client.request("POST", CODE_PAGE, {"csrf_token": token, "code": code})
        outcomes.append(_outcome(status, html))

    threads = [threading.Thread(target=go, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_parallel_wrong_codes_across_workers_stop_at_the_limit(throttle_db, serve):  # noqa: F811
    server = serve(3)
    server.wait_ready(time.monotonic() + 20)
    email = throttle_db.emails[0]
    user_id, secret = _turn_on(throttle_db.url, email)
    wrong = _wrong(secret)
    jobs = [(*_after_password(server, email), wrong) for _ in range(12)]
    outcomes = _together(jobs)
    assert sorted(outcomes) == ["throttled"] * (12 - LIMIT) + ["wrong"] * LIMIT, outcomes
    assert _code_failures(throttle_db.url, user_id) == LIMIT
    # and now even the right code is refused, from any worker
    client, token = _after_password(server, email)
    code = pyotp.TOTP(secret).now()
    status, _, html = client.request("POST", CODE_PAGE, {"csrf_token": token, "code": code})
    assert _outcome(status, html) == "throttled"


def test_one_code_sent_to_every_worker_at_once_signs_in_once(throttle_db, serve):  # noqa: F811
    server = serve(3)
    server.wait_ready(time.monotonic() + 20)
    email = throttle_db.emails[1]
    _user_id, secret = _turn_on(throttle_db.url, email)
    code = pyotp.TOTP(secret).now()
    jobs = [(*_after_password(server, email), code) for _ in range(4)]
    outcomes = _together(jobs)
    assert sorted(outcomes) == ["signed in"] + ["used"] * 3, outcomes
