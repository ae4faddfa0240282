"""Account journeys through HTTP: register, confirm, invite, reset, change, deactivate."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User, UserStatus, UserToken
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.roles import Role
from app.extensions import db
from tests.helpers import last_email, link_in, text


def _register(browser, email="new.person@example.test", password="a-long-passphrase"):
    return browser.post(
        "/account/register",
        {"name": "New Person", "email": email, "password": password, "confirm": password},
    )


def test_register_confirm_and_sign_in(browser, app):
    resp = _register(browser, email="New.Person@Example.TEST")
    assert "Check your email" in text(resp)
    # cannot sign in before confirming
    resp = browser.post(
        "/account/sign-in", {"email": "new.person@example.test", "password": "a-long-passphrase"}
    )
    assert "confirm your email address" in text(resp)
    msg = last_email(app, "new.person@example.test")
    link = link_in(msg.body, "/account/confirm/")
    assert "Confirm" in browser.get(link).data.decode()
    resp = browser.post(link)
    assert resp.status_code == 302
    browser.sign_in("NEW.person@example.test", "a-long-passphrase")
    assert "Hello, New Person" in text(browser.get("/"))
    # the link is single-use
    assert browser.get(link).status_code == 410


def test_get_on_confirmation_link_does_not_confirm(browser, app):
    _register(browser)
    link = link_in(last_email(app, "new.person@example.test").body, "/account/confirm/")
    browser.get(link)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.person@example.test"))
        assert user.status == UserStatus.UNCONFIRMED


def test_registering_a_taken_email_reveals_nothing(browser, make, app):
    existing = make.user(Role.APPLICANT, email="taken@example.test")
    resp = _register(browser, email="TAKEN@example.test")
    assert "Check your email" in text(resp)
    msg = last_email(app, existing.email)
    assert "already have one" in msg.body
    with app.app_context():
        assert (
            db.session.scalar(
                select(db.func.count(User.id)).where(User.email == "taken@example.test")
            )
            == 1
        )


def test_register_validation_messages(browser):
    resp = browser.post(
        "/account/register",
        {"name": "", "email": "bad", "password": "short", "confirm": "different"},
    )
    html = text(resp)
    assert "Enter your full name" in html
    assert "Enter an email address in the correct format" in html
    assert "at least 12 characters" in html
    assert 'href="#name"' in html  # error summary links to the field


def _invite(browser, make, email="invitee@example.test", roles=("line_manager",)):
    staff = make.user(Role.STAFF)
    org = make.org()
    browser.sign_in(staff.email)
    resp = browser.post(
        "/account/people/invite",
        {"name": "Ivy Invitee", "email": email, "roles": list(roles), "organisations": [org.id]},
    )
    return staff, org, resp


def test_staff_invite_and_accept(browser, browser_factory, make, app):
    _staff, org, resp = _invite(browser, make)
    assert resp.status_code == 302
    msg = last_email(app, "invitee@example.test")
    assert "Line manager" in msg.body
    link = link_in(msg.body, "/account/invitation/")
    guest = browser_factory()
    assert "Set up your account" in text(guest.get(link))
    resp = guest.post(
        link, {"password": "quiet-harbour-lantern", "confirm": "quiet-harbour-lantern"}
    )
    assert resp.status_code == 302
    assert "Hello, Ivy Invitee" in text(guest.get("/"))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "invitee@example.test"))
        assert user.status == UserStatus.ACTIVE
        assert user.roles == {Role.LINE_MANAGER}
        assert [o.id for o in user.organisations] == [org.id]
    # reused link: clear page, nothing changes
    again = browser_factory()
    resp = again.get(link)
    assert resp.status_code == 410 and "already been used" in text(resp)
    resp = again.client.post(
        link, data={"password": "x" * 20, "confirm": "x" * 20, "csrf_token": again.token()}
    )
    assert resp.status_code == 410


def test_expired_invitation(browser, browser_factory, make, app):
    _invite(browser, make)
    link = link_in(last_email(app, "invitee@example.test").body, "/account/invitation/")
    with app.app_context():
        for tok in db.session.scalars(select(UserToken)):
            tok.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    resp = browser_factory().get(link)
    assert resp.status_code == 410 and "expired" in text(resp)


def test_resending_an_invitation_retires_the_old_link(browser, browser_factory, make, app):
    _invite(browser, make)
    old = link_in(last_email(app, "invitee@example.test").body, "/account/invitation/")
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == "invitee@example.test"))
    browser.post(f"/account/people/{uid}/resend-invitation", token_from=f"/account/people/{uid}")
    new = link_in(last_email(app, "invitee@example.test").body, "/account/invitation/")
    assert new != old
    g = browser_factory()
    assert g.get(old).status_code == 410
    assert g.get(new).status_code == 200


def test_invite_refuses_existing_email_and_needs_a_role(browser, make):
    existing = make.user(Role.APPLICANT)
    _staff, _org, _ = _invite(browser, make, email="first@example.test")
    resp = browser.post(
        "/account/people/invite", {"name": "Dup", "email": existing.email.upper(), "roles": ["psw"]}
    )
    assert "already has an account" in text(resp)
    resp = browser.post("/account/people/invite", {"name": "No Role", "email": "nr@example.test"})
    assert "Select at least one role" in text(resp)
    resp = browser.post(
        "/account/people/invite",
        {"name": "Bad Role", "email": "br@example.test", "roles": ["emperor"]},
    )
    assert resp.status_code == 200 and "There is a problem" in text(resp)


def test_unknown_token_link(browser):
    resp = browser.get("/account/invitation/not-a-real-token")
    assert resp.status_code == 404 and "not valid" in text(resp)
    resp = browser.get("/account/reset-password/" + "x" * 500)
    assert resp.status_code == 404


def test_forgot_and_reset_password(browser, browser_factory, make, app):
    user = make.user(Role.APPLICANT, email="forgetful@example.test")
    logged_in = browser_factory()
    logged_in.sign_in(user.email)
    resp = browser.post("/account/forgot-password", {"email": "Forgetful@example.test"})
    assert "Check your email" in text(resp)
    # same answer for an unknown address, and no email is written
    resp2 = browser.post("/account/forgot-password", {"email": "ghost@example.test"})
    assert "Check your email" in text(resp2)
    link = link_in(last_email(app, user.email).body, "/account/reset-password/")
    resp = browser.post(link, {"password": "my-new-passphrase", "confirm": "my-new-passphrase"})
    assert resp.status_code == 302
    assert logged_in.get("/account/").status_code == 302  # every session ended
    browser.sign_in(user.email, "my-new-passphrase")
    assert browser_factory().get(link).status_code == 410


def test_change_password_checks_current_password(browser, make):
    user = make.user(Role.APPLICANT)
    browser.sign_in(user.email)
    resp = browser.post(
        "/account/password",
        {
            "current": "wrong-password",
            "password": "another-passphrase",
            "confirm": "another-passphrase",
        },
    )
    assert "Your current password is not correct" in text(resp)
    resp = browser.post(
        "/account/password",
        {
            "current": "correct-horse-battery",
            "password": "another-passphrase",
            "confirm": "not-the-same-one",
        },
    )
    assert "The passwords do not match" in text(resp)


def test_staff_edit_roles_and_deactivate_reactivate(browser, make, app):
    staff = make.user(Role.STAFF)
    person = make.user(Role.APPLICANT)
    org = make.org()
    browser.sign_in(staff.email)
    resp = browser.post(
        f"/account/people/{person.id}/access",
        {"roles": ["psw", "line_manager"], "organisations": [org.id]},
    )
    assert resp.status_code == 302
    assert make.reload(User, person.id).roles == {Role.PSW, Role.LINE_MANAGER}
    detail = f"/account/people/{person.id}"
    browser.post(f"{detail}/deactivate", token_from=detail)
    assert make.reload(User, person.id).status == UserStatus.DEACTIVATED
    resp = browser.post(f"{detail}/deactivate", token_from=detail, follow_redirects=True)
    assert "already deactivated" in text(resp)
    browser.post(f"{detail}/reactivate", token_from=detail)
    assert make.reload(User, person.id).status == UserStatus.ACTIVE
    with app.app_context():
        actions = [
            e.action
            for e in db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.object_id == person.id, AuditEntry.object_type == "User")
                .order_by(AuditEntry.id)
            )
        ]
    assert actions == ["user.access_changed", "user.deactivated", "user.reactivated"]


def test_staff_cannot_deactivate_themselves_or_drop_own_staff_role(browser, make):
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    detail = f"/account/people/{staff.id}"
    resp = browser.post(f"{detail}/deactivate", token_from=detail, follow_redirects=True)
    assert "cannot deactivate your own account" in text(resp)
    resp = browser.post(f"{detail}/access", {"roles": ["psw"]})
    assert "cannot remove your own programme staff role" in text(resp)
    assert make.reload(User, staff.id).roles == {Role.STAFF}


def test_people_list_filters_and_paginates(browser, make):
    staff = make.user(Role.STAFF, name="Aaron Staff")
    for i in range(12):
        make.user(Role.PSW, name=f"Pat Psw {i:02d}")
    browser.sign_in(staff.email)
    html = text(browser.get("/account/people?role=psw"))
    assert "Showing 1 to 10 of 12" in html
    assert f'/account/people/{staff.id}"' not in html
    html = text(browser.get("/account/people?role=psw&page=2"))
    assert "Showing 11 to 12 of 12" in html
    html = text(browser.get("/account/people?q=aaron"))
    assert f'/account/people/{staff.id}"' in html and "Pat Psw" not in html
