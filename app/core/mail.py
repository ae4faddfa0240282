"""Email: every message is kept in the database outbox; SMTP delivers it when configured.

Services queue messages inside their transaction (`queue_email`), so a rolled-back
change never sends mail. Delivery is off the request: the scheduler process and
`flask send-mail` (cron) call `send_queued()`. Views still call `deliver_pending()`
after their commit; it delivers there and then only in development (or when
MAIL_DELIVER_INLINE is set), so a person never waits for the mail server.

Exactly once: a sender claims a batch in a short transaction of its own (PostgreSQL
`FOR UPDATE SKIP LOCKED`; SQLite's write lock from BEGIN IMMEDIATE, and a guarded
UPDATE either way), marking each message `sending` with who and when, commits, sends the
batch over one SMTP connection and records each result as it comes. A claim left by a
sender that died returns to the queue after MAIL_CLAIM_TIMEOUT; a sender never sends
from a claim older than half of that. A failed attempt is retried after 1 minute,
5 minutes, 30 minutes, 2 hours and 12 hours, then the message is failed for good and
staff see it (home page, /outbox/) and can send it again. Held messages (no mail server
configured when they were written) stay held.
"""

from __future__ import annotations

import enum
import os
import smtplib
import socket
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, request, url_for
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, and_, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import enum_type, utcnow
from app.extensions import db
from app.privacy.declare import Category, Person, Retention, not_personal, personal


class MailStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for SMTP delivery (now, or at next_attempt_at)
    SENDING = "sending"  # claimed by a sender (claimed_by, claimed_at)
    SENT = "sent"
    HELD = "held"  # no mail server configured: read it in the outbox
    FAILED = "failed"  # every attempt failed, or the server refused it for good
    WITHDRAWN = "withdrawn"  # taken back while still queued: no longer needed (`error` says why)

    @property
    def label(self) -> str:
        return {
            "queued": "Queued",
            "sending": "Being sent",
            "sent": "Sent",
            "held": "Held",
            "failed": "Failed",
            "withdrawn": "Withdrawn",
        }[self.value]


# After the nth failed attempt, the next one waits RETRY_DELAYS[n - 1]; after the last,
# the message is failed for good.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    to_address: Mapped[str] = mapped_column(
        String(254), index=True, info=personal(Category.CONTACT, Retention.SHORT)
    )
    to_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"),
        index=True,
        info=personal(Category.CONTACT, Retention.SHORT, person=Person.SUBJECT),
    )
    subject: Mapped[str] = mapped_column(
        String(200), info=personal(Category.FREE_TEXT, Retention.SHORT)
    )
    body: Mapped[str] = mapped_column(Text, info=personal(Category.FREE_TEXT, Retention.SHORT))
    template: Mapped[str] = mapped_column(String(100), default="", info=not_personal())
    status: Mapped[MailStatus] = mapped_column(
        enum_type(MailStatus, 16),
        default=MailStatus.QUEUED,
        index=True,
    )
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(String(500), info=not_personal())
    # The Message-ID header, fixed when written so a retry is the same message.
    message_id: Mapped[str | None] = mapped_column(String(250), info=not_personal())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(
        String(120), info=not_personal()
    )  # host:pid:claim
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)


def _mail_domain() -> str:
    return urlsplit(base_url()).hostname or "localhost"


def queue_email(to: str, subject: str, template: str, *, user=None, **context) -> OutboxMessage:
    """Render `templates/email/<template>.txt` and add it to the outbox. The template
    sees the recipient as `user` too (unless the caller names another `user`)."""
    body = render_template(f"email/{template}.txt", **{"user": user, **context})
    msg = OutboxMessage(
        to_address=to,
        to_user_id=getattr(user, "id", None),
        subject=subject,
        body=body,
        template=template,
        status=MailStatus.QUEUED if current_app.config.get("MAIL_SERVER") else MailStatus.HELD,
        message_id=make_msgid(idstring="prp", domain=_mail_domain()),
        attempts=0,
    )
    db.session.add(msg)
    return msg


def deliver_pending(limit: int = 100) -> int:
    """Call after a commit that queued mail. Returns how many messages were sent.

    In a request it delivers only when inline delivery is on (development, or
    MAIL_DELIVER_INLINE): otherwise the request has only queued, and the scheduler or
    `flask send-mail` delivers. Outside a request (a script, a shell) it delivers."""
    if has_request_context() and not inline_delivery():
        return 0
    return send_queued(limit)


def inline_delivery() -> bool:
    configured = current_app.config.get("MAIL_DELIVER_INLINE")
    if configured is None:
        return current_app.config.get("APP_ENV") == "development"
    return bool(configured)


def sender_name() -> str:
    """Who claims a batch: the host and process, and a token for this claim."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _claim_timeout() -> timedelta:
    return current_app.config.get("MAIL_CLAIM_TIMEOUT", timedelta(minutes=5))


def _due(now: datetime):
    """Queued and due, or claimed by a sender that has not answered for too long."""
    return or_(
        and_(
            OutboxMessage.status == MailStatus.QUEUED,
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        ),
        and_(
            OutboxMessage.status == MailStatus.SENDING,
            OutboxMessage.claimed_at < now - _claim_timeout(),
        ),
    )


def claim_batch(size: int, sender: str | None = None) -> tuple[str, list[OutboxMessage]]:
    """Claim up to `size` due messages in a transaction of its own; return the claim's
    name and the messages, now `sending`. Commits."""
    sender = sender or sender_name()
    now = utcnow()
    db.session.commit()  # the claim is its own short transaction
    ids_stmt = select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(size)
    if db.session.get_bind().dialect.name == "postgresql":
        ids_stmt = ids_stmt.with_for_update(skip_locked=True)
    ids = db.session.scalars(ids_stmt).all()
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), _due(now))  # guarded: still due
            .values(
                status=MailStatus.SENDING,
                claimed_by=sender,
                claimed_at=now,
                attempts=OutboxMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    if not ids:
        return sender, []
    claimed = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.claimed_by == sender, OutboxMessage.status == MailStatus.SENDING)
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    ).all()
    return sender, list(claimed)


# Called by `send_queued` before it claims anything: a feature whose queued mail may no
# longer be wanted (a reminder whose study days were approved meanwhile) withdraws it
# there, with a guarded update from `queued` to `withdrawn` and a commit of its own, so a
# message is either claimed and sent or withdrawn, never both.
BEFORE_SEND: list = []


def before_send(fn):
    """Register `fn()` to run before each delivery run (see BEFORE_SEND)."""
    if fn not in BEFORE_SEND:
        BEFORE_SEND.append(fn)
    return fn


def _run_before_send() -> None:
    for fn in BEFORE_SEND:
        try:
            fn()
        except Exception:  # a failed check must not stop the mail: it sends as queued
            current_app.logger.exception("Check before sending failed: %s", fn.__name__)
            db.session.rollback()


def withdraw(msg_id: int, why: str) -> bool:
    """Withdraw a message still queued (not claimed, not sent). True if it was; the
    caller commits."""
    return bool(
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == msg_id, OutboxMessage.status == MailStatus.QUEUED)
            .values(status=MailStatus.WITHDRAWN, next_attempt_at=None, error=why[:500])
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def send_queued(limit: int = 1000) -> int:
    """Deliver due mail in claimed batches until none is left (or `limit` were tried).
    Returns how many were sent. Does nothing without MAIL_SERVER (held mail stays)."""
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        return 0
    _run_before_send()
    sent = tried = 0
    while tried < limit:
        sender, batch = claim_batch(min(cfg.get("MAIL_BATCH", 50), limit - tried))
        if not batch:
            break
        tried += len(batch)
        sent += _send_batch(sender, batch)
    return sent


def as_email(msg: OutboxMessage) -> EmailMessage:
    """The message as it goes over SMTP: Date (when written), Message-ID, Reply-To."""
    cfg = current_app.config
    em = EmailMessage()
    em["From"] = cfg["MAIL_FROM"]
    em["To"] = msg.to_address
    em["Subject"] = msg.subject
    em["Date"] = format_datetime(msg.created_at.replace(tzinfo=UTC))
    em["Message-ID"] = msg.message_id or make_msgid(idstring="prp", domain=_mail_domain())
    if cfg.get("MAIL_REPLY_TO"):
        em["Reply-To"] = cfg["MAIL_REPLY_TO"]
    em["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    em.set_content(msg.body)
    return em


def _send_batch(sender: str, batch: list[OutboxMessage]) -> int:
    """Send a claimed batch over one SMTP connection, recording each result as it
    comes. A connection that fails counts as a failed attempt for every message it did
    not send."""
    cfg = current_app.config
    deadline = min(m.claimed_at for m in batch) + _claim_timeout() / 2
    pending = {m.id: m for m in batch}
    sent = 0
    try:
        with smtplib.SMTP(
            cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg.get("MAIL_TIMEOUT", 10)
        ) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            for msg in batch:
                if utcnow() >= deadline:
                    break  # the claim may be taken over soon: give the rest back
                try:
                    smtp.send_message(as_email(msg))
                except (
                    smtplib.SMTPRecipientsRefused,
                    smtplib.SMTPSenderRefused,
                    smtplib.SMTPDataError,
                ) as exc:
                    _record_failure(sender, pending.pop(msg.id), exc, permanent=_permanent(exc))
                else:
                    _record_sent(sender, pending.pop(msg.id))
                    sent += 1
                db.session.commit()
    except (OSError, smtplib.SMTPException) as exc:
        current_app.logger.warning("Mail server %s: %s", cfg["MAIL_SERVER"], exc)
        for msg in pending.values():
            _record_failure(sender, msg, exc)
        pending.clear()
        db.session.commit()
    if pending:  # not tried: back to the queue, the attempt not counted
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(pending)), _claimed_by(sender))
            .values(status=MailStatus.QUEUED, attempts=OutboxMessage.attempts - 1)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return sent


def _claimed_by(sender: str):
    return and_(OutboxMessage.claimed_by == sender, OutboxMessage.status == MailStatus.SENDING)


def _permanent(exc: smtplib.SMTPException) -> bool:
    """A 5xx answer (no such mailbox, message refused) will not change on retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
    else:
        codes = [getattr(exc, "smtp_code", 0)]
    return bool(codes) and all(500 <= code < 600 for code in codes)


def describe_error(exc: Exception) -> str:
    """What the mail server said, as staff read it: '550 5.1.1 ... User unknown'."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return (
            "; ".join(f"{code} {_text(answer)}" for code, answer in exc.recipients.values())
            or "Recipient refused"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return str(exc) or type(exc).__name__


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def _record_sent(sender: str, msg: OutboxMessage) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == msg.id, _claimed_by(sender))
        .values(status=MailStatus.SENT, sent_at=utcnow(), next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )


def _record_failure(sender: str, msg: OutboxMessage, exc: Exception, permanent=False) -> None:
    """Retry after the next delay, or fail for good after the last one."""
    now = utcnow()
    if permanent or msg.attempts > len(RETRY_DELAYS):
        values = {"status": MailStatus.FAILED, "next_attempt_at": None}
    else:
        values = {
            "status": MailStatus.QUEUED,
            "next_attempt_at": now + RETRY_DELAYS[max(msg.attempts, 1) - 1],
        }
    current_app.logger.warning("Email %s not delivered (attempt %s): %s", msg.id, msg.attempts, exc)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == msg.id, _claimed_by(sender))
        .values(error=describe_error(exc)[:500], **values)
        .execution_options(synchronize_session=False)
    )


def failed_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.status == MailStatus.FAILED)
    )


DEFAULT_BASE_URL = "http://127.0.0.1:5000"  # `make run` serves here


def base_url() -> str:
    """Where links in emails and calendars point, without a trailing slash.

    BASE_URL wins when it is set. Without it, development follows the address the
    page was served on (another port, a container's name), so links work where the
    app runs; outside a request (CLI, scheduler), and in production, where the Host
    header is the client's to choose, it is DEFAULT_BASE_URL.
    """
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context() and current_app.config.get("APP_ENV") != "production":
        return request.host_url.rstrip("/")
    return DEFAULT_BASE_URL


def external_url(endpoint: str, **values) -> str:
    """An absolute link for emails and calendars, built on `base_url()`. Works outside
    a request too (the scheduler, the CLI), where Flask alone cannot build URLs."""
    base = base_url()
    if has_request_context():
        return base + url_for(endpoint, **values)
    # POST: a transaction begun in here still takes SQLite's write lock at once
    with current_app.test_request_context(method="POST"):
        return base + url_for(endpoint, **values)
