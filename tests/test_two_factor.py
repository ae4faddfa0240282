"""Two-factor sign-in (issue 21): set-up, sign-in with a code and with a recovery code,
the required-roles rule, replay, drift, the limiter, staff reset and sessions ending."""

from __future__ import annotations

import re
import threading
import time

import pyotp
import pytest
from sqlalchemy import func, select

from app.accounts import twofactor
from app.accounts.models import RecoveryCode, SignInFailure, User
from app.core.audit import AuditEntry
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from tests.conftest import DEMO_PASSWORD
from tests.helpers import last_email, text

CODE_PAGE = "/account/two-factor/code"
SET_UP = "/account/two-factor/set-up"


@pytest.fixture
def enforced(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_ENFORCED", True)


def _code(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + steps * twofactor.STEP_SECONDS)


def _next_code(secret: str) -> str:
    """A code for the next time step: the current one was used by set-up (one step of
    drift is allowed, so it is accepted now)."""
    return _code(secret, 1)


def _set_up(b) -> tuple[str, list[str]]:
    page = text(b.get(SET_UP))
    secret = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    resp = b.post(SET_UP, {"code": _code(secret)})
    assert resp.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", text(resp))
    assert len(codes) == 10, text(resp)[:3000]
    return secret, codes


def _password(b, email: str):
    return b.post("/account/sign-in", {"email": email, "password": DEMO_PASSWORD})


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def _failures(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(SignInFailure.id)).where(SignInFailure.key == f"code:{user_id}")
        )


def _audits(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _bodies(app, to: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.to_address == to))
        )


def _signed_in(b) -> bool:
    return b.get("/account/").status_code == 200


# Set-up ---------------------------------------------------------------------------------


def test_set_up_shows_an_inline_qr_code_and_the_key_and_needs_a_first_code(app, make, browser):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    page = text(browser.get(SET_UP))
    assert "<svg" in page and "QR code" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "http" not in svg.replace("http://www.w3.org", "")  # nothing fetched
    key = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert len(key) == 32
    # the same key until set-up is finished (a reload must not change the QR code)
    assert key in text(browser.get(SET_UP)).replace(" ", "")

    resp = browser.post(SET_UP, {"code": "000000" if _code(key) != "000000" else "111111"})
    assert resp.status_code == 200
    assert "The code is not correct" in text(resp)
    assert _user(app, user.id).totp_enabled_at is None
    assert _failures(app, user.id) == 1


def test_turning_it_on_stores_ten_hashed_codes_ends_other_sessions_and_is_audited(
    app, make, browser, browser_factory
):
    user = make.user(Role.AWARD_HOLDER)
    other = browser_factory()
    other.sign_in(user.email)
    browser.sign_in(user.email)
    secret, codes = _set_up(browser)
    assert len(set(codes)) == 10
    stored = _user(app, user.id)
    assert stored.totp_secret == secret and stored.totp_enabled_at is not None
    with app.app_context():
        hashes = db.session.scalars(
            select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
        ).all()
    assert len(hashes) == 10
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(c.replace("-", "") in h for c in codes for h in hashes)
    assert _signed_in(browser)  # this session carries on
    assert not _signed_in(other)  # every other one has ended
    assert len(_audits(app, "user.two_factor_on")) == 1
    assert "Two-factor sign-in is now on" in last_email(app, user.email).body
    # shown once: the page that listed them does not list them again
    assert codes[0] not in text(browser.get("/account/two-factor"))
    assert "10 of 10" in text(browser.get("/account/two-factor"))


def test_a_set_up_finished_with_someone_elses_secret_is_refused(app, make, browser_factory):
    a, b_user = make.user(Role.APPLICANT), make.user(Role.APPLICANT)
    browser_a, browser_b = browser_factory(), browser_factory()
    browser_a.sign_in(a.email)
    browser_b.sign_in(b_user.email)
    page_b = text(browser_b.get(SET_UP))
    secret_b = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', page_b).group(1).replace(" ", "")
    browser_a.get(SET_UP)
    # A posts a code from B's key, and B's key itself: only A's own session key counts
    resp = browser_a.post(SET_UP, {"code": _code(secret_b), "secret": secret_b})
    assert "The code is not correct" in text(resp)
    assert _user(app, a.id).totp_enabled_at is None
    assert _user(app, a.id).totp_secret is None


# Sign-in -------------------------------------------------------------------------------


def test_sign_in_asks_for_a_code_after_the_password(app, make, browser, browser_factory):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    secret, _codes = _set_up(browser)
    b = browser_factory()
    resp = _password(b, user.email)
    assert resp.headers["Location"].endswith(CODE_PAGE)
    assert not _signed_in(b)  # a password alone is not a sign-in
    resp = b.post(CODE_PAGE, {"code": "123 45"})  # malformed
    assert "Enter the 6-digit code" in text(resp)
    resp = b.post(CODE_PAGE, {"code": _next_code(secret)})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/")
    assert _signed_in(b)
    assert _failures(app, user.id) == 0  # a success clears the count


def test_a_code_works_once(app, make, browser, browser_factory):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    secret, _codes = _set_up(browser)
    code = _next_code(secret)
    first = browser_factory()
    _password(first, user.email)
    assert first.post(CODE_PAGE, {"code": code}).status_code == 302
    second = browser_factory()
    _password(second, user.email)
    resp = second.post(CODE_PAGE, {"code": code})
    assert resp.status_code == 200
    assert "already been used" in text(resp)
    assert not _signed_in(second)
    assert _failures(app, user.id) == 1  # counted by the limiter
    # the set-up code's own step is spent too
    resp = second.post(CODE_PAGE, {"code": _code(secret)})
    assert "already been used" in text(resp)


def test_one_step_of_drift_is_allowed_and_two_are_not(app, monkeypatch):
    secret = pyotp.random_base32()
    now = 60_000_000
    monkeypatch.setattr(twofactor.time, "time", lambda: now * 30 + 5)
    totp = pyotp.TOTP(secret)
    for steps, expected in ((-1, now - 1), (0, now), (1, now + 1)):
        assert twofactor.matching_step(secret, totp.at((now + steps) * 30)) == expected
    for steps in (-2, 2):
        code = totp.at((now + steps) * 30)
        if all(code != totp.at((now + s) * 30) for s in (-1, 0, 1)):
            assert twofactor.matching_step(secret, code) is None
    # a step at or before the last one used does not count
    assert twofactor.matching_step(secret, totp.at(now * 30), after=now) is None


def test_the_code_limiter_stops_the_sixth_guess_even_if_right(app, make, browser, browser_factory):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    secret, _ = _set_up(browser)
    b = browser_factory()
    _password(b, user.email)
    limit = app.config["THROTTLE_PER_ACCOUNT"]
    good = {_code(secret, s) for s in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in good)
    for _ in range(limit):
        assert "The code is not correct" in text(b.post(CODE_PAGE, {"code": wrong}))
    resp = b.post(CODE_PAGE, {"code": _next_code(secret)})
    assert twofactor.CODE_THROTTLED in text(resp)
    assert not _signed_in(b)
    assert _failures(app, user.id) == limit


def test_the_code_page_needs_a_recent_right_password(app, make, browser, monkeypatch):
    from datetime import timedelta

    user = make.user(Role.APPLICANT)
    resp = browser.get(CODE_PAGE)
    assert resp.status_code == 302 and "/account/sign-in" in resp.headers["Location"]
    browser.sign_in(user.email)
    _set_up(browser)
    browser.sign_out()
    _password(browser, user.email)
    monkeypatch.setitem(app.config, "TWO_FACTOR_PENDING_LIFETIME", timedelta(seconds=-1))
    resp = browser.get(CODE_PAGE)
    assert resp.status_code == 302 and "/account/sign-in" in resp.headers["Location"]


# Recovery codes ---------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once_and_ends_other_sessions(app, make, browser_factory):
    user = make.user(Role.APPLICANT)
    first = browser_factory()
    first.sign_in(user.email)
    _secret, codes = _set_up(first)
    second = browser_factory()
    _password(second, user.email)
    resp = second.post("/account/two-factor/recovery", {"code": codes[3].upper()})
    assert resp.status_code == 302
    assert _signed_in(second)
    assert not _signed_in(first)  # the other session ended
    assert len(_audits(app, "user.recovery_code_used")) == 1
    assert any("9 left" in body for body in _bodies(app, user.email))
    assert "9 of 10" in text(second.get("/account/two-factor"))

    third = browser_factory()
    _password(third, user.email)
    resp = third.post("/account/two-factor/recovery", {"code": codes[3]})
    assert "not correct or has already been used" in text(resp)
    resp = third.post("/account/two-factor/recovery", {"code": "not a code"})
    assert "Enter a recovery code" in text(resp)
    assert not _signed_in(third)
    assert _failures(app, user.id) == 2


# Who must use it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        Role.STAFF,
        Role.PSW,
        Role.LINE_MANAGER,
        Role.ASSISTANT_DIRECTOR,
        Role.SUPERVISOR,
        Role.COACH,
    ],
    ids=lambda r: r.value,
)
def test_required_roles_set_it_up_before_anything_else(enforced, app, make, browser, role):
    user = make.user(role)
    resp = _password(browser, user.email)
    assert resp.headers["Location"].endswith(SET_UP)
    urls = ["/", "/account/", "/account/sign-ins", "/account/two-factor"]
    if role == Role.STAFF:
        urls.append("/account/people")
    for url in urls:
        resp = browser.get(url)
        assert resp.status_code == 302 and resp.headers["Location"].endswith(SET_UP), url
    assert browser.get(SET_UP).status_code == 200
    _set_up(browser)
    assert browser.get("/account/").status_code == 200
    # and it cannot be turned off
    assert browser.get("/account/two-factor/turn-off").status_code == 302
    assert "cannot be turned off" in text(browser.get("/account/two-factor"))


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.AWARD_HOLDER], ids=lambda r: r.value)
def test_applicants_and_award_holders_may_choose(
    enforced, app, make, browser, browser_factory, role
):
    user = make.user(role)
    resp = _password(browser, user.email)
    assert resp.headers["Location"].endswith("/")
    assert browser.get("/account/").status_code == 200
    secret, _codes = _set_up(browser)
    other = browser_factory()
    _password(other, user.email)
    assert other.post(CODE_PAGE, {"code": _next_code(secret)}).status_code == 302
    assert _signed_in(other)
    resp = browser.post("/account/two-factor/turn-off", {"password": "wrong-password-here"})
    assert "not correct" in text(resp)
    assert _user(app, user.id).totp_enabled_at is not None
    resp = browser.post("/account/two-factor/turn-off", {"password": DEMO_PASSWORD})
    assert resp.status_code == 302
    assert _user(app, user.id).totp_enabled_at is None
    assert _signed_in(browser) and not _signed_in(other)  # other sessions ended
    assert len(_audits(app, "user.two_factor_off")) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0


def test_demo_accounts_are_exempt_outside_production_only(enforced, app, make, monkeypatch):
    staff = make.user(Role.STAFF)
    with app.app_context():
        user = db.session.get(User, staff.id)
        assert twofactor.required_for(user)
        user.demo_account = True
        assert not twofactor.required_for(user)
        monkeypatch.setitem(app.config, "APP_ENV", "production")
        assert twofactor.required_for(user)
        # in production the tests' switch is ignored too
        monkeypatch.setitem(app.config, "TWO_FACTOR_ENFORCED", False)
        user.demo_account = False
        assert twofactor.required_for(user)
        db.session.rollback()


def test_the_demo_loader_marks_its_accounts(app):
    from app.demo.loader import _Users

    with app.test_request_context():
        user = _Users().get("demo-2fa@demo.test", "Demo Person", ["staff"], [])
        assert user.demo_account is True
        db.session.rollback()


# Staff reset --------------------------------------------------------------------------------


def test_staff_reset_a_second_factor(enforced, app, make, browser_factory):
    staff = make.user(Role.STAFF)
    psw = make.user(Role.PSW)
    person = browser_factory()
    _password(person, psw.email)
    _set_up(person)
    assert _signed_in(person)

    other_staff = browser_factory()
    other = make.user(Role.LINE_MANAGER)
    other_staff.sign_in(other.email)
    _set_up(other_staff)
    resp = other_staff.post(
        f"/account/people/{psw.id}/reset-two-factor", token_from="/account/two-factor"
    )
    assert resp.status_code == 403  # staff only

    admin = browser_factory()
    _password(admin, staff.email)
    _set_up(admin)
    page = text(admin.get(f"/account/people/{psw.id}"))
    assert "Reset two-factor sign-in" in page
    resp = admin.post(
        f"/account/people/{psw.id}/reset-two-factor", token_from=f"/account/people/{psw.id}"
    )
    assert resp.status_code == 302
    assert "has been reset" in text(admin.get(f"/account/people/{psw.id}"))
    stored = _user(app, psw.id)
    assert stored.totp_enabled_at is None and stored.totp_secret is None
    # their sessions ended (not merely sent to set it up again)
    assert "/account/sign-in" in person.get("/account/").headers["Location"]
    entries = _audits(app, "user.two_factor_reset")
    assert len(entries) == 1 and entries[0].actor_id == staff.id
    assert any(
        "reset two-factor sign-in" in body and "set up an authenticator" in body
        for body in _bodies(app, psw.email)
    )
    # the person sets it up again at their next sign-in
    again = browser_factory()
    assert _password(again, psw.email).headers["Location"].endswith(SET_UP)
    # a second reset has nothing to reset: a clear message, no second entry
    resp = admin.post(
        f"/account/people/{psw.id}/reset-two-factor",
        token_from=f"/account/people/{psw.id}",
        follow_redirects=True,
    )
    assert "has not set up two-factor sign-in" in text(resp)
    assert len(_audits(app, "user.two_factor_reset")) == 1


def test_new_recovery_codes_replace_the_old(app, make, browser):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    _secret, codes = _set_up(browser)
    resp = browser.post("/account/two-factor/recovery-codes", {"password": DEMO_PASSWORD})
    fresh = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", text(resp))
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    with app.app_context():
        assert db.session.scalar(select(func.count(RecoveryCode.id))) == 10


# Parallel requests (both databases; the real test is PostgreSQL) -----------------------------


def _parallel(browsers, data) -> list[int]:
    barrier = threading.Barrier(len(browsers))
    statuses: list[int] = []

    def go(b, token):
        barrier.wait()
        resp = b.client.post(CODE_PAGE, data={"csrf_token": token, **data})
        statuses.append(resp.status_code)

    threads = [threading.Thread(target=go, args=(b, b.token(CODE_PAGE))) for b in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return statuses


def test_twenty_parallel_wrong_codes_count_exactly_to_the_limit(app, make, browser_factory):
    user = make.user(Role.APPLICANT)
    first = browser_factory()
    first.sign_in(user.email)
    secret, _ = _set_up(first)
    browsers = []
    for _ in range(20):
        b = browser_factory()
        _password(b, user.email)
        browsers.append(b)
    good = {_code(secret, s) for s in (-1, 0, 1, 2)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in good)
    statuses = _parallel(browsers, {"code": wrong})
    assert statuses == [200] * 20
    assert _failures(app, user.id) == app.config["THROTTLE_PER_ACCOUNT"]


def test_one_code_sent_twenty_times_at_once_signs_in_once(app, make, browser_factory):
    user = make.user(Role.APPLICANT)
    first = browser_factory()
    first.sign_in(user.email)
    secret, _ = _set_up(first)
    browsers = []
    for _ in range(20):
        b = browser_factory()
        _password(b, user.email)
        browsers.append(b)
    statuses = _parallel(browsers, {"code": _next_code(secret)})
    assert statuses.count(302) == 1, statuses
    assert statuses.count(200) == 19


def test_no_email_is_sent_for_a_wrong_code(app, make, browser):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    _set_up(browser)
    with app.app_context():
        before = db.session.scalar(select(func.count(OutboxMessage.id)))
    browser.sign_out()
    _password(browser, user.email)
    browser.post(CODE_PAGE, {"code": "999999"})
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == before
