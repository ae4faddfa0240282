"""The header every signed-in page draws, kept cheap: its HTML comes from the component
cache (only the sign-out form's CSRF token changes from page to page), the unread count
comes with the person in the sign-in query, and an unchanged session is not sent back."""

from __future__ import annotations

import re

from sqlalchemy import event

from app.core.roles import Role
from app.extensions import db

SIGN_OUT_TOKEN = re.compile(
    r'action="/account/sign-out" novalidate><input type="hidden" name="csrf_token" '
    r'value="([^"]+)"'
)


def test_the_header_sign_out_form_carries_a_working_token(make, browser):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    page = browser.get("/account/").get_data(as_text=True)
    token = SIGN_OUT_TOKEN.search(page).group(1)
    assert "slot" not in token
    resp = browser.client.post("/account/sign-out", data={"csrf_token": token})
    assert resp.status_code == 302
    assert browser.get("/account/").status_code == 302  # signed out


def test_the_header_is_drawn_once_and_then_reused(app, make, browser):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    browser.get("/account/")
    cache = app.jinja_env.globals["nhsuk"]
    before = len(cache)
    for _ in range(3):
        browser.get("/account/")
    assert len(cache) == before


def _queries(app, fn) -> list[str]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def test_the_unread_count_comes_with_the_person(app, make, browser):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    browser.get("/account/")
    statements = _queries(app, lambda: browser.get("/account/"))
    counts = [s for s in statements if "reminder" in s.lower()]
    assert len(counts) == 1, counts
    assert '"user"' in counts[0] or "user" in counts[0].lower()


def test_an_unchanged_session_is_not_sent_again(make, browser):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    browser.get("/account/")
    resp = browser.get("/account/")
    assert not any("prp_session" in c for c in resp.headers.getlist("Set-Cookie"))
