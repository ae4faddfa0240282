"""Access matrix: accounts, organisations, audit, outbox, home."""

from __future__ import annotations

from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from tests.matrix import ALL, STAFF, Page

PAGES = {
    "home.index": Page("/", None),  # signed-out visitors are sent to /start
    "home.start": Page("/start", None),
    "home.healthz": Page("/healthz", None),
    "home.accessibility": Page("/accessibility", None),
    "home.privacy": Page("/privacy", None),
    "accounts.sign_in": Page("/account/sign-in", None),
    "accounts.register": Page("/account/register", None),
    "accounts.resend_confirmation": Page("/account/confirm/resend", None),
    "accounts.forgot_password": Page("/account/forgot-password", None),
    "accounts.account": Page("/account/", ALL),
    "accounts.change_password": Page("/account/password", ALL),
    "accounts.user_list": Page("/account/people", STAFF),
    "accounts.user_detail": Page("/account/people/{user_id}", STAFF),
    "accounts.invite": Page("/account/people/invite", STAFF),
    "accounts.edit_access": Page("/account/people/{user_id}/access", STAFF),
    "organisations.org_list": Page("/organisations/", STAFF),
    "organisations.create": Page("/organisations/new", STAFF),
    "organisations.detail": Page("/organisations/{org_id}", STAFF),
    "organisations.edit": Page("/organisations/{org_id}/edit", STAFF),
    "audit.entry_list": Page("/audit/", STAFF),
    "outbox.message_list": Page("/outbox/", STAFF),
    "outbox.message_detail": Page("/outbox/{message_id}", STAFF),
}

ACTIONS = {
    "accounts.sign_out": ALL,
    "accounts.deactivate": STAFF,
    "accounts.reactivate": STAFF,
    "accounts.resend_invitation": STAFF,
    "organisations.archive": STAFF,
    "outbox.send_again": STAFF,
    "accounts.confirm_email": None,
    "accounts.accept_invitation": None,
    "accounts.reset_password": None,
}


def records(make, app) -> dict:
    org = make.org()
    other = make.user(Role.APPLICANT, orgs=[org])
    with app.app_context():
        msg = OutboxMessage(to_address="x@example.test", subject="Hello", body="Hi", template="t")
        db.session.add(msg)
        db.session.commit()
        message_id = msg.id
    return {"user_id": other.id, "org_id": org.id, "message_id": message_id}
