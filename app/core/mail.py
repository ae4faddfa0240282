"""Email: every message is kept in the database outbox; SMTP delivers it when configured.

Services queue messages inside their transaction; the view commits and only then
calls `deliver_pending()`, so a rolled-back change never sends mail.
"""

from __future__ import annotations

import enum
import smtplib
from datetime import datetime
from email.message import EmailMessage

from flask import current_app, has_request_context, render_template, request, url_for
from sqlalchemy import DateTime, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import enum_type, utcnow
from app.extensions import db


class MailStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for SMTP delivery
    SENT = "sent"
    HELD = "held"  # no mail server configured: read it in the outbox
    FAILED = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    to_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[MailStatus] = mapped_column(
        enum_type(MailStatus, 16),
        default=MailStatus.QUEUED,
        index=True,
    )
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(String(500))


def queue_email(to: str, subject: str, template: str, *, user=None, **context) -> OutboxMessage:
    """Render `templates/email/<template>.txt` and add it to the outbox."""
    body = render_template(f"email/{template}.txt", **context)
    msg = OutboxMessage(
        to_address=to,
        to_user_id=getattr(user, "id", None),
        subject=subject,
        body=body,
        template=template,
        status=MailStatus.QUEUED if current_app.config.get("MAIL_SERVER") else MailStatus.HELD,
    )
    db.session.add(msg)
    return msg


def deliver_pending(limit: int = 100) -> int:
    """Send queued messages over SMTP. Call after commit. Returns how many were sent."""
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        return 0
    pending = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.QUEUED)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = 0
    for msg in pending:
        em = EmailMessage()
        em["From"] = cfg["MAIL_FROM"]
        em["To"] = msg.to_address
        em["Subject"] = msg.subject
        em.set_content(msg.body)
        try:
            with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
                if cfg.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if cfg.get("MAIL_USERNAME"):
                    smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
                smtp.send_message(em)
            msg.status, msg.sent_at = MailStatus.SENT, utcnow()
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            msg.status, msg.error = MailStatus.FAILED, str(exc)[:500]
            current_app.logger.warning("Email %s not delivered: %s", msg.id, exc)
    db.session.commit()
    return sent


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
    """An absolute link for emails and calendars, built on `base_url()`."""
    return base_url() + url_for(endpoint, **values)
