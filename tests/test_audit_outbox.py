"""The audit log and the email outbox, as programme staff see them."""

from __future__ import annotations

import re
import smtplib
from datetime import date, datetime

from sqlalchemy import select

from app.accounts.models import UserStatus
from app.audit import display
from app.core import audit
from app.core.mail import MailStatus, OutboxMessage, deliver_pending, queue_email, send_queued
from app.core.roles import Role
from app.extensions import db
from tests.helpers import FakeSMTP, text


def words(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_audit_log_lists_and_filters(browser, make, app):
    staff = make.user(Role.STAFF, email="boss@example.test")
    person = make.user(Role.APPLICANT)
    browser.sign_in(staff.email)
    browser.post(
        f"/account/people/{person.id}/deactivate", token_from=f"/account/people/{person.id}"
    )
    html = text(browser.get("/audit/?action=user.deactivated"))
    assert "user.deactivated" in html
    assert "status: Active → Deactivated" in words(html)
    html = text(browser.get("/audit/?actor=boss@example.test&action=user.signed_in"))
    assert "user.signed_in" in html and "user.deactivated" not in html
    html = text(browser.get(f"/audit/?object_type=User&object_id={person.id}"))
    assert "user.deactivated" in html and "user.signed_in" not in html
    resp = browser.get("/audit/?from=yesterday")
    assert resp.status_code == 200 and "Enter the 'from' date" in text(resp)


def test_audit_log_shows_values_as_people_read_them(browser, make, app):
    """Lists joined, dates and money written out, enum labels, Yes/No, (none)."""
    staff = make.user(Role.STAFF)
    with app.app_context():
        audit.record(
            "release.requested",
            object_type="Award",
            object_id=1,
            changes={"days": [[], [date(2026, 12, 17), date(2026, 12, 18)]]},
        )
        audit.record(
            "user.invited",
            object_type="User",
            object_id=2,
            changes={
                "roles": [[], [Role.LINE_MANAGER, Role.PSW]],
                "organisations": [[], ["Brent & Harrow", "Ealing"]],
                "status": [UserStatus.INVITED, UserStatus.UNCONFIRMED],
            },
        )
        audit.record(
            "cohort.updated",
            object_type="Cohort",
            object_id=3,
            changes={
                "personal_award_cap_pence": [350_050, 450_000],
                "is_withdrawn": [False, True],
                "description": ["", "Now with more places"],
                "starts_at": [None, datetime(2026, 7, 1, 13, 5)],
            },
        )
        db.session.commit()
    browser.sign_in(staff.email)
    html = words(text(browser.get("/audit/")))
    assert "days: (none) → 17 December 2026, 18 December 2026" in html
    assert "roles: (none) → Line manager, Principal Social Worker" in html
    assert "organisations: (none) → Brent & Harrow, Ealing" in html
    assert "status: Invited → Email not confirmed" in html
    assert "personal award cap: £3,500.50 → £4,500.00" in html
    assert "is withdrawn: No → Yes" in html
    assert "description: (none) → Now with more places" in html
    assert "starts at: (none) → 1 July 2026 at 2:05pm" in html  # stored UTC, shown UK time
    assert "['" not in html and "2026-12-17" not in html


def test_audit_values_keep_what_has_no_label():
    """A value no enum knows (since retired), free text that looks like a year range,
    and numbers are shown as stored."""
    assert display.show("2026-27") == "2026-27"
    assert display.show("retired", UserStatus) == "retired"
    assert display.show(0) == "0" and display.show(12.5) == "12.5"
    assert display.show([]) == display.show(None) == display.show("") == "(none)"
    assert display.show(["b", "a"]) == "b, a"


def test_audit_log_pages_without_counting_the_whole_log(browser, make, app):
    """The log is not counted (too big to count on every view): pages go on while there
    is more, and the last page has no next link."""
    staff = make.user(Role.STAFF)
    with app.app_context():
        for i in range(23):  # tests show 10 a page
            audit.record("test.paged", object_type="Thing", object_id=i, summary=f"n{i}")
        db.session.commit()
    browser.sign_in(staff.email)
    first = text(browser.get("/audit/?action=test.paged"))
    assert "Showing 1 to 10" in first and " of " not in first.split("Showing 1 to 10")[1][:6]
    assert "page=2" in first and "n22" in first  # newest first
    last = text(browser.get("/audit/?action=test.paged&page=3"))
    assert "Showing 21 to 23" in last and "page=4" not in last and "page=2" in last
    beyond = text(browser.get("/audit/?action=test.paged&page=9"))
    assert "Nothing more found" in beyond


def test_audit_record_captures_before_after(ctx, make):
    entry = audit.record(
        "thing.changed",
        None,
        object_type="Thing",
        object_id=7,
        changes=audit.diff({"a": 1, "b": Role.PSW}, {"a": 2, "b": Role.PSW}),
    )
    db.session.commit()
    assert entry.changes == {"a": [1, 2]}
    assert entry.at is not None


def test_outbox_shows_held_messages(browser, make, app):
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        queue_email(
            "someone@example.test",
            "Hello there",
            "password_changed",
            name="Someone",
            reset_url="http://localhost/x",
        )
        db.session.commit()
        msg_id = db.session.scalar(select(OutboxMessage.id))
    browser.sign_in(staff.email)
    html = text(browser.get("/outbox/?to=someone"))
    assert "Hello there" in html and "Held" in html
    html = text(browser.get(f"/outbox/{msg_id}"))
    assert "Dear Someone" in html


def test_smtp_delivery_marks_messages_sent(app, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent = []
    app.config["MAIL_SERVER"] = "smtp.example.test"
    try:
        with app.test_request_context():
            queue_email(
                "a@example.test",
                "Subject A",
                "password_changed",
                name="A",
                reset_url="http://localhost/r",
            )
            db.session.commit()
            assert deliver_pending() == 0  # a request only queues (outside development)
            assert send_queued() == 1  # the scheduler, `flask send-mail`
            msg = db.session.scalar(select(OutboxMessage))
            assert msg.status == MailStatus.SENT and msg.sent_at is not None
    finally:
        app.config["MAIL_SERVER"] = None
    assert FakeSMTP.sent[0]["To"] == "a@example.test"


def test_email_text_snapshot(app):
    with app.test_request_context():
        body = app.jinja_env.get_template("email/invitation.txt").render(
            name="Ivy", inviter="Sam", roles=["Line manager"], days=14, url="http://x/y"
        )
    assert body.splitlines()[:6] == [
        "Dear Ivy,",
        "",
        "Sam has invited you to the Practitioner Researcher Programme as: Line manager.",
        "",
        "Set up your account by choosing a password here:",
        "http://x/y",
    ]
