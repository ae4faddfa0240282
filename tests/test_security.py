"""The known traps of this stack, each with a test that would catch it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import User, UserStatus
from app.core.audit import AuditEntry, AuditIsAppendOnly
from app.core.roles import Role
from app.core.security import safe_next
from app.extensions import db


def _session_cookie(b):
    return b.client.get_cookie("prp_session")


def test_sign_out_kills_copied_cookie(make, browser, browser_factory):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    stolen = _session_cookie(browser).value
    thief = browser_factory()
    thief.client.set_cookie("prp_session", stolen)
    assert thief.get("/account/").status_code == 200  # the copy works while signed in
    browser.sign_out()
    assert thief.get("/account/").status_code == 302  # and not after sign-out


def test_password_change_ends_other_sessions_but_not_this_one(make, browser, browser_factory):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    other = browser_factory()
    other.sign_in(user.email)
    resp = browser.post(
        "/account/password",
        {
            "current": "correct-horse-battery",
            "password": "a-brand-new-passphrase",
            "confirm": "a-brand-new-passphrase",
        },
    )
    assert resp.status_code == 302
    assert browser.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302


def test_deactivation_ends_sessions(make, browser, browser_factory):
    staff = make.user(Role.STAFF)
    victim = make.user(Role.APPLICANT)
    vb = browser_factory()
    vb.sign_in(victim.email)
    browser.sign_in(staff.email)
    resp = browser.post(
        f"/account/people/{victim.id}/deactivate", token_from=f"/account/people/{victim.id}"
    )
    assert resp.status_code == 302
    assert vb.get("/account/").status_code == 302
    assert make.reload(User, victim.id).status == UserStatus.DEACTIVATED
    # and they cannot sign back in
    resp = vb.post("/account/sign-in", {"email": victim.email, "password": "correct-horse-battery"})
    assert resp.status_code == 200
    assert "Enter a correct email address and password" in resp.get_data(as_text=True)


def _age_session(b, app, **delta):
    """Rewrite the session's timestamps as if time had passed."""
    with b.client.session_transaction() as sess:
        for key in ("auth_at", "seen_at"):
            if key in delta:
                from datetime import datetime

                sess[key] = (datetime.fromisoformat(sess[key]) - delta[key]).isoformat()


def test_idle_session_expires_after_30_minutes(make, browser, app):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    _age_session(browser, app, seen_at=timedelta(minutes=29))
    assert browser.get("/account/").status_code == 200
    _age_session(browser, app, seen_at=timedelta(minutes=31))
    resp = browser.get("/account/")
    assert resp.status_code == 302
    page = browser.get(resp.headers["Location"]).get_data(as_text=True)
    assert "signed out because you had not used the service" in page


def test_session_ends_after_12_hours_even_when_active(make, browser, app):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    _age_session(browser, app, auth_at=timedelta(hours=12, minutes=1))
    assert browser.get("/account/").status_code == 302


def test_session_cookie_flags_in_production(tmp_path):
    from app import create_app
    from tests.conftest import settings_for

    prod = create_app(settings_for(tmp_path, APP_ENV="production", TESTING=False))
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["SESSION_COOKIE_HTTPONLY"] is True
    assert prod.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with prod.app_context():
        db.engine.dispose()


def test_cookie_is_httponly_and_samesite(make, browser):
    user = make.user(Role.APPLICANT)
    resp = browser.sign_in(user.email)
    set_cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in set_cookie
    assert "SameSite=Lax" in set_cookie


def test_production_refuses_to_start_without_secret_key(tmp_path):
    from app import create_app
    from tests.conftest import settings_for

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(settings_for(tmp_path, APP_ENV="production", SECRET_KEY=None))


def test_new_session_on_sign_in(make, browser):
    user = make.user(Role.APPLICANT)
    with browser.client.session_transaction() as sess:
        sess["planted"] = "by-attacker"
    browser.sign_in(user.email)
    with browser.client.session_transaction() as sess:
        assert "planted" not in sess


def test_unknown_email_and_wrong_password_get_the_same_answer(make, browser):
    user = make.user(Role.APPLICANT)
    a = browser.post(
        "/account/sign-in", {"email": "nobody@example.test", "password": "whatever-it-is"}
    )
    b = browser.post("/account/sign-in", {"email": user.email, "password": "wrong-password-here"})
    assert a.status_code == b.status_code == 200
    for resp in (a, b):
        assert "Enter a correct email address and password" in resp.get_data(as_text=True)


def test_sign_in_is_throttled_per_account(make, browser, browser_factory):
    user = make.user(Role.APPLICANT)
    for _ in range(5):
        resp = browser.post("/account/sign-in", {"email": user.email, "password": "wrong-password"})
        assert "Enter a correct email" in resp.get_data(as_text=True)
    # now even the right password from another address is refused
    other = browser_factory()
    resp = other.post(
        "/account/sign-in",
        {"email": user.email, "password": "correct-horse-battery"},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert resp.status_code == 200
    assert "too many attempts" in resp.get_data(as_text=True)


def test_sign_in_is_throttled_per_address(make, browser, app):
    app.config["THROTTLE_PER_ADDRESS"] = 3
    try:
        for i in range(3):
            browser.post(
                "/account/sign-in", {"email": f"n{i}@example.test", "password": "wrong-one"}
            )
        user = make.user(Role.APPLICANT)
        resp = browser.post(
            "/account/sign-in", {"email": user.email, "password": "correct-horse-battery"}
        )
        assert "too many attempts" in resp.get_data(as_text=True)
    finally:
        app.config["THROTTLE_PER_ADDRESS"] = 30


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/account/", "/account/"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("http:/evil.example", None),
        ("", None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_next_redirects_only_within_the_site(make, browser):
    user = make.user(Role.APPLICANT)
    token = browser.token("/account/sign-in")
    resp = browser.client.post(
        "/account/sign-in?next=https://evil.example/x",
        data={"email": user.email, "password": "correct-horse-battery", "csrf_token": token},
    )
    assert resp.headers["Location"] == "/"
    b2 = browser
    b2.sign_out()
    token = b2.token("/account/sign-in")
    resp = b2.client.post(
        "/account/sign-in?next=/account/password",
        data={"email": user.email, "password": "correct-horse-battery", "csrf_token": token},
    )
    assert resp.headers["Location"] == "/account/password"


def test_security_headers_on_every_response(make, browser):
    for url in ("/start", "/account/sign-in", "/no-such-page", "/healthz"):
        resp = browser.get(url)
        csp = resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "default-src 'self'" in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"]


def test_signed_in_pages_are_not_cached(make, browser):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    assert browser.get("/account/").headers["Cache-Control"] == "no-store"


def test_post_without_csrf_token_is_refused_and_changes_nothing(make, browser, app):
    staff = make.user(Role.STAFF)
    victim = make.user(Role.APPLICANT)
    browser.sign_in(staff.email)
    resp = browser.client.post(f"/account/people/{victim.id}/deactivate")
    assert resp.status_code == 400
    assert "Nothing was changed" in resp.get_data(as_text=True)
    resp = browser.client.post(
        f"/account/people/{victim.id}/deactivate", data={"csrf_token": "forged"}
    )
    assert resp.status_code == 400
    assert make.reload(User, victim.id).status == UserStatus.ACTIVE


def test_sign_in_needs_csrf_token(make, browser):
    user = make.user(Role.APPLICANT)
    resp = browser.client.post(
        "/account/sign-in", data={"email": user.email, "password": "correct-horse-battery"}
    )
    assert resp.status_code == 400


def test_sign_out_is_post_only(make, browser):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    assert browser.get("/account/sign-out").status_code == 405
    assert browser.get("/account/").status_code == 200


def test_forms_bind_only_their_own_fields(make, browser, app):
    """Posting status, role or id fields alongside a real form changes nothing else."""
    org = make.org()
    browser.post(
        "/account/register",
        {
            "name": "Eve Example",
            "email": "eve@example.test",
            "password": "long-enough-passphrase",
            "confirm": "long-enough-passphrase",
            "status": "active",
            "roles": "staff",
            "role": "staff",
            "id": "1",
            "is_admin": "1",
        },
    )
    with app.app_context():
        eve = db.session.scalar(db.select(User).where(User.email == "eve@example.test"))
        assert eve.status == UserStatus.UNCONFIRMED
        assert eve.roles == {Role.APPLICANT}
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    browser.post(
        f"/organisations/{org.id}/edit",
        {
            "name": "Renamed Council",
            "kind": "local_authority",
            "adults_services": "y",
            "nation": "england_and_wales",
            "is_active": "false",
            "id": "999",
        },
    )
    with app.app_context():
        from app.organisations.models import Organisation

        o = db.session.get(Organisation, org.id)
        assert o.name == "Renamed Council" and o.is_active is True


def test_get_requests_change_nothing(make, browser, app):
    """Walk every GET page as staff: no audit entry or row change results."""
    from tests.matrix import all_pages

    staff = make.user(Role.STAFF)
    other = make.user(Role.APPLICANT)
    org = make.org()
    browser.sign_in(staff.email)
    from tests.matrix import all_records

    values = all_records(make, app)
    values.update(user_id=other.id, org_id=org.id)
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    for page in all_pages().values():
        browser.get(page.url.format(**values))
    with app.app_context():
        after = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    assert after == before


def test_audit_entries_cannot_be_changed(ctx):
    entry = AuditEntry(action="test.thing", object_type="system", changes={})
    db.session.add(entry)
    db.session.commit()
    entry.action = "tampered"
    with pytest.raises(AuditIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AuditIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_malformed_and_overlong_input_gives_messages_not_500(browser):
    resp = browser.post(
        "/account/register",
        {"name": "x" * 5000, "email": "not-an-email" * 50, "password": "short", "confirm": "nope"},
    )
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Full name must be 200 characters or fewer" in html
    resp = browser.post("/account/sign-in", {"email": "", "password": ""})
    assert resp.status_code == 200 and "Enter your email address" in resp.get_data(as_text=True)
    assert browser.get("/account/people?page=abc&role=nope").status_code == 302
    assert browser.get("/account/confirm/%00%ff").status_code in (404, 410)


def test_frontend_assets_are_served_locally(browser):
    for url in (
        "/static/build/nhsuk.min.css",
        "/frontend/nhsuk-frontend.min.js",
        "/assets/images/nhsuk-icon-cross.svg",
        "/assets/images/favicon.ico",
        "/static/app.js",
    ):
        resp = browser.get(url)
        assert resp.status_code == 200, f"{url} (the CSS is built by `make install`)"
        assert "no-store" not in resp.headers.get("Cache-Control", "")
    # Built without the Frutiger font faces on assets.nhs.uk (the CSP blocks them), with
    # Arial as the font stack's fallback.
    css = browser.get("/static/build/nhsuk.min.css").get_data(as_text=True)
    assert "@font-face" not in css and "https://" not in css
    assert 'font-family:"Frutiger W01",arial,sans-serif' in css
    assert "/static/build/nhsuk.min.css" in browser.get("/start").get_data(as_text=True)
    page = browser.get("/start").get_data(as_text=True)
    assert "https://" not in page.split("<body")[0].replace("https://www.w3.org", "")


def test_production_refuses_to_start_without_base_url(tmp_path):
    from app import create_app
    from tests.conftest import settings_for

    with pytest.raises(RuntimeError, match="BASE_URL is not set"):
        create_app(settings_for(tmp_path, APP_ENV="production", BASE_URL=None))
