"""Issue 21: password strength from zxcvbn, new-device alerts and recent sign-ins."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.devices import COOKIE, describe_browser
from app.accounts.models import KnownDevice, SignInEvent, User
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from tests.conftest import DEMO_PASSWORD
from tests.helpers import last_email, link_in, text

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _register(browser, password: str, name: str = "Priya Sharma", email="priya@example.test"):
    return browser.post(
        "/account/register",
        {"name": name, "email": email, "password": password, "confirm": password},
    )


def _registered(app, email: str) -> bool:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email)) is not None


# Passwords -------------------------------------------------------------------------------


def test_a_common_password_is_refused_with_zxcvbns_feedback(app, browser):
    resp = _register(browser, "password1234")
    page = text(resp)
    assert "Choose a stronger password" in page
    assert "This is a very common password" in page  # zxcvbn's own words
    assert not _registered(app, "priya@example.test")


def test_a_keyboard_run_or_a_repeat_is_refused(app, browser):
    for weak in ("qwertyuiop123", "abcabcabcabcabc"):
        assert "Choose a stronger password" in text(_register(browser, weak)), weak
    assert not _registered(app, "priya@example.test")


def test_a_password_with_the_persons_name_or_email_is_refused(app, browser):
    for password in ("sharma-rides-bicycles", "Priya-rides-bicycles-daily", "PRIYA.bikes.daily"):
        page = text(_register(browser, password))
        assert "must not contain your name or email address" in page, password
    page = text(
        _register(browser, "zebra-lantern-0451", name="Al Jones", email="zebra@example.test")
    )
    assert "must not contain your name or email address" in page
    assert not _registered(app, "priya@example.test")


def test_a_strong_unrelated_password_is_accepted(app, browser):
    resp = _register(browser, "quiet-harbour-lantern")
    assert resp.status_code == 200 and "Check your email" in text(resp)
    assert _registered(app, "priya@example.test")


def test_the_reset_link_knows_whose_password_it_is(app, make, browser):
    user = make.user(Role.APPLICANT, name="Morgan Featherstone", email="mfeather@example.test")
    browser.post("/account/forgot-password", {"email": user.email})
    link = link_in(last_email(app, user.email).body, "/account/reset-password/")
    resp = browser.post(link, {"password": "featherstone-1987!", "confirm": "featherstone-1987!"})
    assert "must not contain your name or email address" in text(resp)
    resp = browser.post(
        link, {"password": "quiet-harbour-lantern", "confirm": "quiet-harbour-lantern"}
    )
    assert resp.status_code == 302


def test_change_password_uses_the_signed_in_persons_name(app, make, browser):
    user = make.user(Role.APPLICANT, name="Olusegun Adebayo")
    browser.sign_in(user.email)
    resp = browser.post(
        "/account/password",
        {
            "current": DEMO_PASSWORD,
            "password": "adebayo-was-here-22",
            "confirm": "adebayo-was-here-22",
        },
    )
    assert "must not contain your name or email address" in text(resp)


# New devices and recent sign-ins --------------------------------------------------------


def _alerts(app, to: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.to_address == to, OutboxMessage.template == "new_device_sign_in"
            )
        )


def test_a_new_device_is_told_by_email_and_a_known_one_is_not(app, make, browser_factory):
    user = make.user(Role.APPLICANT)
    first = browser_factory()
    resp = first.sign_in(user.email)
    cookie = resp.headers.getlist("Set-Cookie")
    assert any(c.startswith(f"{COOKIE}=") and "HttpOnly" in c for c in cookie)
    assert _alerts(app, user.email) == 0  # the first device ever: nothing to compare with

    first.sign_out()
    first.sign_in(user.email)  # same browser, cookie kept
    assert _alerts(app, user.email) == 0

    second = browser_factory()
    second.client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    second.client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    second.sign_in(user.email)
    assert _alerts(app, user.email) == 1
    body = last_email(app, user.email).body
    assert "Firefox on Windows" in body and "198.51.100.23" in body
    assert "/account/sign-ins" in body and "&#" not in body

    with app.app_context():
        assert db.session.scalar(select(func.count(KnownDevice.id))) == 2
        hashes = db.session.scalars(select(KnownDevice.token_hash)).all()
    raw = next(c for c in cookie if c.startswith(f"{COOKIE}=")).split(";")[0].split("=", 1)[1]
    assert raw not in hashes and all(len(h) == 64 for h in hashes)


def test_another_persons_device_cookie_does_not_count(app, make, browser):
    a, b = make.user(Role.APPLICANT), make.user(Role.APPLICANT)
    browser.sign_in(b.email)  # b's first device
    browser.sign_out()
    browser.sign_in(a.email)  # a's first device, with b's cookie in the jar
    with app.app_context():
        devices = db.session.scalars(select(KnownDevice).where(KnownDevice.user_id == a.id)).all()
    assert len(devices) == 1


def test_recent_sign_ins_lists_only_your_own_newest_first(app, make, browser_factory):
    me, someone = make.user(Role.APPLICANT), make.user(Role.APPLICANT)
    other = browser_factory()
    other.client.environ_base["REMOTE_ADDR"] = "203.0.113.99"
    other.sign_in(someone.email)
    mine = browser_factory()
    mine.client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    mine.sign_in(me.email)
    page = text(mine.get("/account/sign-ins"))
    assert "Firefox on Windows" in page and "Password" in page
    assert "203.0.113.99" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(SignInEvent.id))) == 2


def test_recent_sign_ins_is_paged(app, make, browser):
    user = make.user(Role.APPLICANT)
    for _ in range(12):
        browser.sign_in(user.email)
        browser.sign_out()
    browser.sign_in(user.email)
    page = text(browser.get("/account/sign-ins"))
    assert "Showing 1 to 10 of 13" in page
    assert "Showing 11 to 13 of 13" in text(browser.get("/account/sign-ins?page=2"))
    assert browser.get("/account/sign-ins?page=abc").status_code == 200


def test_describe_browser():
    assert describe_browser(FIREFOX) == "Firefox on Windows"
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit Safari/604.1"
    assert describe_browser(iphone) == "Safari on iPhone"
    assert describe_browser(None) == "Unknown browser"
    assert len(describe_browser("x" * 500)) == 200


def test_recent_sign_ins_costs_the_same_queries_with_10_or_100(app, make, browser):
    from app.accounts.models import SignInMethod
    from tests.helpers import recorded_sql
    from tests.test_query_counts import IN_LIST

    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)

    def add(n: int) -> None:
        with app.app_context():
            db.session.add_all(
                SignInEvent(user_id=user.id, method=SignInMethod.PASSWORD, browser="Firefox")
                for _ in range(n)
            )
            db.session.commit()

    def count() -> list[str]:
        browser.get("/account/sign-ins")
        with recorded_sql(app) as statements:
            assert browser.get("/account/sign-ins").status_code == 200
        return [IN_LIST.sub("(...)", s) for s in statements]

    add(9)
    ten = count()
    add(90)
    hundred = count()
    assert len(ten) == len(hundred), set(hundred) - set(ten)
