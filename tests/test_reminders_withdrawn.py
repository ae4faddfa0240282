"""Reminders (issue 15, bad input): a reminder email still in the outbox when what it was
about is resolved (the manager approves the days a minute after it was queued, while the
mail server was down) is withdrawn before it leaves, not sent; one still due is sent,
once; one a sender already claimed is sent, not withdrawn. Staff see why."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.core import mail
from app.core.audit import AuditEntry
from app.core.mail import MailStatus, OutboxMessage
from app.core.roles import Role
from app.extensions import db
from app.release.models import DayStatus, ReleaseDay
from app.reminders import services
from app.reminders.models import Reminder
from tests.test_mail_delivery import fake_smtp  # noqa: F401  (a fixture)
from tests.test_reminders import MONDAY, THURSDAY, _request, at_once

TEMPLATE = "reminder_study_days_pending"


def _queued_while_down(app, make, fake_smtp, n: int = 1) -> list:  # noqa: F811
    awards = [make.award() for _ in range(n)]
    for a in awards:
        _request(app, a, MONDAY, date(2026, 6, 29))
    fake_smtp.down = True
    with app.app_context():
        services.sweep(THURSDAY)
        assert mail.send_queued() == 0  # the server is down: queued, retried later
    fake_smtp.down = False
    _retry_due(app)
    with app.app_context():  # the other mail (invitations...) goes; the reminders wait
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == TEMPLATE)
        ):
            m.next_attempt_at = mail.utcnow() + mail.RETRY_DELAYS[0]
        db.session.commit()
        mail.send_queued()
    fake_smtp.sent.clear()
    return awards


def _approve(app, award) -> None:
    with app.app_context():
        for d in db.session.scalars(select(ReleaseDay).where(ReleaseDay.award_id == award.id)):
            d.status = DayStatus.APPROVED
        db.session.commit()


def _retry_due(app) -> None:
    with app.app_context():
        for m in db.session.scalars(select(OutboxMessage)):
            m.next_attempt_at = None
        db.session.commit()


def _state(app, award) -> tuple[MailStatus, str | None]:
    with app.app_context():
        r = db.session.scalar(
            select(Reminder).where(
                Reminder.rule == "study_days_pending", Reminder.subject_id == award.id
            )
        )
        return r.message.status, r.skip_reason


def test_approved_meanwhile_the_queued_reminder_is_withdrawn_not_sent(
    app,
    make,
    fake_smtp,  # noqa: F811
):
    resolved, waiting = _queued_while_down(app, make, fake_smtp, 2)
    _approve(app, resolved)
    _retry_due(app)
    with app.app_context():
        assert mail.send_queued() == 1  # only the one still waiting
    assert len(fake_smtp.sent) == 1
    assert _state(app, resolved) == (MailStatus.WITHDRAWN, services.WITHDRAWN)
    assert _state(app, waiting) == (MailStatus.SENT, None)
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "reminders.withdrawn")
        )
        assert entry is not None and "withdrawn" in entry.summary
        services.sweep(THURSDAY)  # recorded: the sweep does not queue it again
        assert mail.send_queued() == 0
    assert len(fake_smtp.sent) == 1


def test_a_reminder_still_due_is_never_withdrawn(app, make, fake_smtp):  # noqa: F811
    (award,) = _queued_while_down(app, make, fake_smtp)
    _retry_due(app)
    with app.app_context():
        assert services.withdraw_resolved() == 0
        assert mail.send_queued() == 1
        assert mail.send_queued() == 0
    assert _state(app, award) == (MailStatus.SENT, None)
    assert len(fake_smtp.sent) == 1


def test_one_a_sender_already_claimed_is_sent_not_withdrawn(app, make, fake_smtp):  # noqa: F811
    (award,) = _queued_while_down(app, make, fake_smtp)
    _retry_due(app)
    with app.app_context():
        assert len(mail.claim_batch(10)[1]) == 1  # a sender has it now
    _approve(app, award)
    with app.app_context():
        assert services.withdraw_resolved() == 0
        # and the update itself is guarded, for a claim that lands between the two
        msg_id = db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.template == TEMPLATE)
        )
        assert mail.withdraw(msg_id, "too late") is False
    assert _state(app, award) == (MailStatus.SENDING, None)


def test_four_senders_at_once_send_each_still_due_once_and_no_withdrawn_one(
    app,
    make,
    fake_smtp,  # noqa: F811
):
    awards = _queued_while_down(app, make, fake_smtp, 4)
    _approve(app, awards[0])
    _approve(app, awards[1])
    _retry_due(app)
    at_once(app, lambda: mail.send_queued())
    assert len(fake_smtp.sent) == 2
    assert [_state(app, a)[0] for a in awards] == [
        MailStatus.WITHDRAWN,
        MailStatus.WITHDRAWN,
        MailStatus.SENT,
        MailStatus.SENT,
    ]


def test_staff_see_the_withdrawn_reminder_and_why(app, make, fake_smtp, browser):  # noqa: F811
    (award,) = _queued_while_down(app, make, fake_smtp)
    _approve(app, award)
    _retry_due(app)
    with app.app_context():
        mail.send_queued()
    browser.sign_in(make.user(Role.STAFF).email)
    page = browser.get("/reminders/?state=skipped").get_data(as_text=True)
    assert "Not sent: Withdrawn from the outbox before it left" in page
    assert "the email</a>" in page  # and the withdrawn email, as the outbox has it
    outbox = browser.get("/outbox/?status=withdrawn")
    assert outbox.status_code == 200 and "Withdrawn" in outbox.get_data(as_text=True)
    with app.app_context():
        msg_id = db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.status == MailStatus.WITHDRAWN)
        )
    detail = browser.get(f"/outbox/{msg_id}").get_data(as_text=True)
    assert "Why withdrawn" in detail and "Last error" not in detail


def test_a_withdrawn_email_is_purged_like_a_sent_one(app, make, fake_smtp, monkeypatch):  # noqa: F811
    """Never sent, so no sent_at: it goes on the short rule from when it was written."""
    from datetime import timedelta

    from app.privacy import purge

    (award,) = _queued_while_down(app, make, fake_smtp)
    _approve(app, award)
    _retry_due(app)
    with app.app_context():
        mail.send_queued()
    monkeypatch.setitem(app.config, "FROZEN_TODAY", date.today() + timedelta(days=3650))
    with app.app_context():
        purge.run()
        db.session.commit()
        assert not db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.status == MailStatus.WITHDRAWN)
        )
        r = db.session.scalar(select(Reminder).where(Reminder.subject_id == award.id))
        assert r is None or r.outbox_message_id is None
