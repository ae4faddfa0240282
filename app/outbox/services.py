"""Programme staff send failed mail again."""

from __future__ import annotations

from flask import current_app

from app.core import audit
from app.core.mail import MailStatus, OutboxMessage
from app.core.state import Conflict, claim


class SendAgainRefused(Exception):
    pass


class AlreadyRequeued(SendAgainRefused, Conflict):
    pass


def send_again(msg: OutboxMessage, actor) -> None:
    """Put a failed message back in the queue with a fresh set of attempts. Audited;
    the caller commits. The scheduler (or `flask send-mail`) delivers it."""
    if not current_app.config.get("MAIL_SERVER"):
        raise SendAgainRefused(
            "No mail server is set up, so the email cannot be sent. It stays in the outbox."
        )
    claim(
        msg,
        MailStatus.FAILED,
        lambda m: AlreadyRequeued(f"This email is already {m.status.value}: nothing to do."),
    )
    error = msg.error
    msg.status = MailStatus.QUEUED
    msg.attempts = 0
    msg.next_attempt_at = None
    msg.claimed_by = msg.claimed_at = None
    audit.record(
        "outbox.sent_again",
        msg,
        actor=actor,
        changes={"status": [MailStatus.FAILED.value, MailStatus.QUEUED.value]},
        summary=f"Email to {msg.to_address} queued again after: {error or 'failure'}",
    )
