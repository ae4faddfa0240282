"""Mail delivery (issue 17): a message is claimed before it is sent, so senders running
at once deliver it exactly once; a failed attempt is retried with backoff and then
failed for good, where staff see it and can send it again; requests only queue; the
messages carry Date, Message-ID and Reply-To.

The concurrent and server-down tests talk SMTP to a real server on loopback
(aiosmtpd); the rest use a fake connection (smtplib is the boundary)."""

from __future__ import annotations

import email
import smtplib
import socket
import threading
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from app.core import mail
from app.core.audit import AuditEntry
from app.core.mail import RETRY_DELAYS, MailStatus, OutboxMessage, queue_email, send_queued
from app.core.roles import Role
from app.extensions import db
from tests.helpers import FakeSMTP, text

REAL_SMTP = smtplib.SMTP  # taken before the autouse fixture refuses real SMTP


def _queue(app, count: int, *, prefix: str = "person") -> list[int]:
    with app.app_context():
        msgs = [
            queue_email(
                f"{prefix}{n}@example.test",
                f"Hello {n}",
                "password_changed",
                name=f"Person {n}",
                reset_url="http://localhost/account/forgot-password",
            )
            for n in range(count)
        ]
        db.session.commit()
        return [m.id for m in msgs]


def _statuses(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
        return {status.value: n for status, n in rows}


# A real SMTP server on loopback --------------------------------------------------------


class Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 Message accepted for delivery"

    def count_by_recipient(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for m in self.messages:
            counts[m["To"]] = counts.get(m["To"], 0) + 1
        return counts


class LoopbackServer:
    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", REAL_SMTP)
    server = LoopbackServer(_free_port())
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    server.start()
    yield server
    server.stop()


def test_four_senders_at_once_deliver_each_message_exactly_once(app, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BATCH", 3)  # many small claims, interleaved
    ids = _queue(app, 40)
    start = threading.Barrier(4)
    results, errors = [], []

    def sender():
        try:
            with app.app_context():  # a session and a connection of its own
                start.wait()
                results.append(send_queued())
                db.session.remove()
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(results) == 40
    counts = smtp_server.inbox.count_by_recipient()
    assert len(counts) == 40 and set(counts.values()) == {1}, counts
    assert _statuses(app) == {"sent": 40}
    with app.app_context():
        senders = set(db.session.scalars(select(OutboxMessage.claimed_by)).all())
        assert len(ids) == 40 and len(senders) > 1  # several claims did the work


def test_mail_queued_while_the_server_is_down_is_delivered_once_it_is_back(
    app, smtp_server, monkeypatch
):
    smtp_server.stop()
    _queue(app, 10)
    with app.app_context():
        assert send_queued() == 0
    assert _statuses(app) == {"queued": 10}
    with app.app_context():
        msg = db.session.scalars(select(OutboxMessage)).first()
        assert msg.attempts == 1 and msg.error and msg.next_attempt_at is not None
        now = mail.utcnow()
        assert timedelta(seconds=50) < msg.next_attempt_at - now <= timedelta(minutes=1)

    smtp_server.start()
    with app.app_context():
        assert send_queued() == 0  # not due yet: the first retry is a minute later
    later = mail.utcnow() + timedelta(minutes=1, seconds=1)
    monkeypatch.setattr(mail, "utcnow", lambda: later)
    with app.app_context():
        assert send_queued() == 10
        assert send_queued() == 0
    counts = smtp_server.inbox.count_by_recipient()
    assert len(counts) == 10 and set(counts.values()) == {1}
    assert _statuses(app) == {"sent": 10}


def test_messages_carry_date_message_id_and_reply_to(app, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://prp.example.nhs.uk")
    monkeypatch.setitem(app.config, "MAIL_REPLY_TO", "Programme team <team@example.nhs.uk>")
    _queue(app, 2)
    with app.app_context():
        assert send_queued() == 2
    first, second = smtp_server.inbox.messages
    assert first["Date"] and first["Date"].datetime.tzinfo is not None
    assert first["Message-ID"].endswith("@prp.example.nhs.uk>")
    assert first["Message-ID"] != second["Message-ID"]
    assert first["Reply-To"] == "Programme team <team@example.nhs.uk>"
    assert first["Auto-Submitted"] == "auto-generated"
    with app.app_context():  # the id is kept: a retry is the same message
        stored = db.session.scalars(select(OutboxMessage.message_id)).all()
    assert first["Message-ID"] in stored


def test_no_reply_to_unless_configured(app, smtp_server):
    _queue(app, 1)
    with app.app_context():
        send_queued()
    assert smtp_server.inbox.messages[0]["Reply-To"] is None


# With a fake connection ---------------------------------------------------------------


class CountingSMTP(FakeSMTP):
    connections = 0
    down = False
    refuse: dict[str, tuple[int, bytes]] = {}

    def __init__(self, host, port, timeout=None):
        if CountingSMTP.down:
            raise ConnectionRefusedError(111, "Connection refused")
        CountingSMTP.connections += 1
        super().__init__(host, port, timeout)

    def send_message(self, message):
        if message["To"] in CountingSMTP.refuse:
            raise smtplib.SMTPRecipientsRefused({message["To"]: CountingSMTP.refuse[message["To"]]})
        super().send_message(message)


@pytest.fixture
def fake_smtp(app, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", CountingSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    CountingSMTP.sent, CountingSMTP.connections, CountingSMTP.down = [], 0, False
    CountingSMTP.refuse = {}
    return CountingSMTP


def test_a_batch_goes_over_one_connection(app, fake_smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BATCH", 50)
    _queue(app, 12)
    with app.app_context():
        assert send_queued() == 12
    assert fake_smtp.connections == 1 and len(fake_smtp.sent) == 12


def test_retries_back_off_then_the_message_fails_for_good(app, fake_smtp, monkeypatch):
    fake_smtp.down = True
    [message_id] = _queue(app, 1)
    now = mail.utcnow()
    clock = {"now": now}
    monkeypatch.setattr(mail, "utcnow", lambda: clock["now"])
    waits = []
    for attempt in range(1, len(RETRY_DELAYS) + 1):
        with app.app_context():
            assert send_queued() == 0
            msg = db.session.get(OutboxMessage, message_id)
            assert msg.status == MailStatus.QUEUED and msg.attempts == attempt
            assert "Connection refused" in msg.error
            waits.append(msg.next_attempt_at - clock["now"])
            clock["now"] = msg.next_attempt_at - timedelta(seconds=1)
            assert send_queued() == 0  # a second early: not tried
            assert db.session.get(OutboxMessage, message_id).attempts == attempt
            clock["now"] = msg.next_attempt_at
    assert waits == list(RETRY_DELAYS)  # 1 min, 5 min, 30 min, 2 h, 12 h
    with app.app_context():
        assert send_queued() == 0
        msg = db.session.get(OutboxMessage, message_id)
        assert msg.status == MailStatus.FAILED and msg.next_attempt_at is None
    clock["now"] += timedelta(days=7)
    fake_smtp.down = False
    with app.app_context():
        assert send_queued() == 0  # failed for good: never tried again by itself
    assert fake_smtp.sent == []


def test_a_refused_address_fails_at_once_and_the_rest_of_the_batch_is_sent(app, fake_smtp):
    fake_smtp.refuse = {"person1@example.test": (550, b"5.1.1 No such mailbox")}
    fake_smtp.refuse["person2@example.test"] = (451, b"4.3.0 Try again later")
    _queue(app, 4)
    with app.app_context():
        assert send_queued() == 2
        by_to = {m.to_address: m for m in db.session.scalars(select(OutboxMessage))}
    assert by_to["person1@example.test"].status == MailStatus.FAILED
    assert by_to["person1@example.test"].error == "550 5.1.1 No such mailbox"
    assert by_to["person2@example.test"].status == MailStatus.QUEUED  # temporary: retried
    assert by_to["person2@example.test"].next_attempt_at is not None
    assert {by_to[f"person{n}@example.test"].status for n in (0, 3)} == {MailStatus.SENT}


def test_a_claim_left_by_a_dead_sender_returns_to_the_queue(app, fake_smtp):
    ids = _queue(app, 2)
    with app.app_context():
        now = mail.utcnow()
        for message_id, age in zip(ids, (timedelta(minutes=6), timedelta(minutes=1)), strict=True):
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(
                    status=MailStatus.SENDING,
                    claimed_by="web-1:4242:dead",
                    claimed_at=now - age,
                    attempts=1,
                )
            )
        db.session.commit()
        assert send_queued() == 1  # the old claim only: the recent one may still be sending
        old, recent = (db.session.get(OutboxMessage, i) for i in ids)
        assert old.status == MailStatus.SENT and old.attempts == 2
        assert old.claimed_by != "web-1:4242:dead"
        assert recent.status == MailStatus.SENDING
    assert [m["To"] for m in fake_smtp.sent] == ["person0@example.test"]


def test_a_sender_gives_back_what_it_could_not_send_before_its_claim_grows_old(
    app, fake_smtp, monkeypatch
):
    _queue(app, 3)
    real = mail.utcnow
    calls = {"n": 0}

    def slow_clock():
        calls["n"] += 1  # each message takes three minutes: half the claim time is up
        return real() + timedelta(minutes=3 * max(calls["n"] - 2, 0))

    monkeypatch.setattr(mail, "utcnow", slow_clock)
    with app.app_context():
        sent = send_queued(limit=3)
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        statuses = [m.status for m in rows]
    assert sent == len(fake_smtp.sent) >= 1
    assert MailStatus.SENDING not in statuses
    assert statuses.count(MailStatus.QUEUED) == 3 - sent
    assert all(m.attempts == 0 for m in rows if m.status == MailStatus.QUEUED)


def test_held_mail_stays_held(app, fake_smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    _queue(app, 2)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    with app.app_context():
        assert send_queued() == 0
    assert _statuses(app) == {"held": 2} and fake_smtp.sent == []


# Off the request -----------------------------------------------------------------------


def test_a_request_only_queues_and_the_sender_delivers(app, make, fake_smtp, browser):
    person = make.user(Role.APPLICANT)
    assert browser.post("/account/forgot-password", {"email": person.email}).status_code == 200
    assert fake_smtp.connections == 0 and _statuses(app) == {"queued": 1}
    with app.app_context():
        assert send_queued() == 1
    assert [m["To"] for m in fake_smtp.sent] == [person.email]


def test_in_development_a_request_delivers_its_mail_after_the_commit(
    app, make, fake_smtp, browser, monkeypatch
):
    monkeypatch.setitem(app.config, "APP_ENV", "development")
    person = make.user(Role.APPLICANT)
    browser.post("/account/forgot-password", {"email": person.email})
    assert [m["To"] for m in fake_smtp.sent] == [person.email]
    assert _statuses(app) == {"sent": 1}


# Staff see failed mail and send it again --------------------------------------------------


def _failed(app, to: str = "gone@example.test") -> int:
    [message_id] = _queue(app, 1, prefix=to.split("@")[0])
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(status=MailStatus.FAILED, attempts=6, error="550 5.1.1 No such mailbox")
        )
        db.session.commit()
    return message_id


def test_staff_see_failed_mail_on_their_home_page_and_in_the_outbox(app, make, browser):
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    assert "could not be sent" not in text(browser.get("/"))
    message_id = _failed(app)
    home = text(browser.get("/"))
    assert "1 email could not be sent" in home and "/outbox/?status=failed" in home
    listing = text(browser.get("/outbox/"))
    assert "1 email could not be sent" in listing and "No such mailbox" in listing
    detail = text(browser.get(f"/outbox/{message_id}"))
    assert "This email was not sent" in detail and "550 5.1.1 No such mailbox" in detail
    assert "Send it again" not in detail and "No mail server is set up now" in detail


def test_with_a_mail_server_the_failed_message_offers_send_again(app, make, browser, fake_smtp):
    staff = make.user(Role.STAFF)
    message_id = _failed(app)
    browser.sign_in(staff.email)
    assert "Send it again" in text(browser.get(f"/outbox/{message_id}"))


def test_others_do_not_see_the_failed_mail_card(app, make, browser):
    _failed(app)
    holder = make.user(Role.AWARD_HOLDER)
    browser.sign_in(holder.email)
    assert "could not be sent" not in text(browser.get("/"))


def test_staff_send_failed_mail_again(app, make, browser, fake_smtp):
    staff = make.user(Role.STAFF)
    message_id = _failed(app)
    browser.sign_in(staff.email)
    url = f"/outbox/{message_id}/send-again"
    resp = browser.post(url, token_from=f"/outbox/{message_id}", follow_redirects=True)
    assert "queued to be sent again" in text(resp)
    with app.app_context():
        msg = db.session.get(OutboxMessage, message_id)
        assert msg.status == MailStatus.QUEUED and msg.attempts == 0
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "outbox.sent_again")
        )
        assert entry.actor_id == staff.id and entry.object_id == message_id
        assert "No such mailbox" in entry.summary
        assert send_queued() == 1
    # twice: the second is told, and nothing changes
    resp = browser.post(url, token_from=f"/outbox/{message_id}", follow_redirects=True)
    assert "already sent" in text(resp)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "outbox.sent_again")
            )
            == 1
        )


def test_send_again_without_a_mail_server_is_refused(app, make, browser):
    staff = make.user(Role.STAFF)
    message_id = _failed(app)
    browser.sign_in(staff.email)
    resp = browser.post(
        f"/outbox/{message_id}/send-again",
        token_from=f"/outbox/{message_id}",
        follow_redirects=True,
    )
    assert "No mail server is set up" in text(resp)
    assert _statuses(app) == {"failed": 1}


# The scheduler process ------------------------------------------------------------------


def test_the_scheduler_delivers_mail_every_minute(app, fake_smtp):
    from app.scheduler import build_scheduler, deliver_mail

    scheduler = build_scheduler(app)
    job = scheduler.get_job("deliver-mail")
    assert job.trigger.interval == timedelta(minutes=1) and job.max_instances == 1
    reminders = scheduler.get_job("send-reminders")
    assert reminders.trigger.interval == timedelta(minutes=5) and reminders.max_instances == 1
    _queue(app, 3)
    assert deliver_mail(app) == 3 and deliver_mail(app) == 0
    assert len(fake_smtp.sent) == 3


def test_a_failing_run_does_not_stop_the_scheduler(app, fake_smtp, monkeypatch):
    from app import scheduler

    def broken(limit=1000):
        raise RuntimeError("database went away")

    monkeypatch.setattr(scheduler, "send_queued", broken)
    assert scheduler.deliver_mail(app) == 0
