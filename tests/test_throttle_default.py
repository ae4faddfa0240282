"""The per-address sign-in limit at its default (no override in the tests): 30 failures
from one address in the window, whichever accounts they were for, are counted; after them
the address is refused, even with a correct password, while the account itself is not
locked for anyone else."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import SignInFailure
from app.accounts.services import BAD_CREDENTIALS, THROTTLE_MESSAGE
from app.core.roles import Role
from app.extensions import db
from app.settings import Settings
from tests.conftest import DEMO_PASSWORD, csrf_from

ADDRESS = "192.0.2.30"
OTHER_ADDRESS = "192.0.2.99"
LIMIT = 30


def test_the_default_per_address_limit_is_30(app):
    assert Settings.THROTTLE_PER_ADDRESS == LIMIT
    assert app.config["THROTTLE_PER_ADDRESS"] == LIMIT


def _client(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_from(client.get("/account/sign-in").get_data(as_text=True))
    return client, token


def _sign_in(client, token: str, email: str, password: str):
    resp = client.post(
        "/account/sign-in", data={"csrf_token": token, "email": email, "password": password}
    )
    return resp.status_code, resp.get_data(as_text=True)


def _address_failures(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(SignInFailure.id)).where(SignInFailure.key == f"address:{ADDRESS}")
        )


def _fail_from_address(client, token, times: int, start: int = 0) -> None:
    for n in range(start, start + times):
        status, html = _sign_in(client, token, f"guess{n}@example.test", "wrong-password")
        assert status == 200 and BAD_CREDENTIALS in html and THROTTLE_MESSAGE not in html, n


def test_the_30th_failure_from_one_address_is_counted_and_the_31st_refused(app, make):
    user = make.user(Role.APPLICANT)
    client, token = _client(app, ADDRESS)
    _fail_from_address(client, token, LIMIT - 1)  # 29 accounts, one failure each
    # the 30th: still checked (the right answer to a wrong password), and counted
    status, html = _sign_in(client, token, user.email, "wrong-password")
    assert status == 200 and BAD_CREDENTIALS in html and THROTTLE_MESSAGE not in html
    assert _address_failures(app) == LIMIT
    # the 31st from this address is refused, even with the right password
    status, html = _sign_in(client, token, user.email, DEMO_PASSWORD)
    assert status == 200 and THROTTLE_MESSAGE in html
    assert _address_failures(app) == LIMIT  # a refused attempt is not checked or counted
    # the account is not locked: from another address the same person signs in
    other, other_token = _client(app, OTHER_ADDRESS)
    status, _html = _sign_in(other, other_token, user.email, DEMO_PASSWORD)
    assert status == 302


def test_after_29_failures_the_address_may_still_sign_in(app, make):
    user = make.user(Role.APPLICANT)
    client, token = _client(app, ADDRESS)
    _fail_from_address(client, token, LIMIT - 1)
    status, html = _sign_in(client, token, user.email, DEMO_PASSWORD)
    assert status == 302, html[:500]
