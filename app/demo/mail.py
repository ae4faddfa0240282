"""Demo outbox: one invitation the mail server refused for good (the address was
mistyped), so programme staff see failed mail on their home page and in the outbox,
with the server's answer, and can send it again. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.db import utcnow
from app.core.mail import RETRY_DELAYS, MailStatus, OutboxMessage, external_url, queue_email
from app.extensions import db

TO = "m.okafor@brent.gov.example"
REFUSAL = (
    "550 5.1.1 <m.okafor@brent.gov.example>: Recipient address rejected: "
    "User unknown in virtual mailbox table"
)


def load_mail() -> int:
    """Returns how many failed emails were added (0 when the demo already has one)."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.status == MailStatus.FAILED)):
        return 0
    msg = queue_email(
        TO,
        "You have been invited to the Practitioner Researcher Programme",
        "invitation",
        name="Michael Okafor",
        inviter="Programme & Evaluation Team",
        roles=["Line manager"],
        url=external_url("accounts.sign_in"),
        days=14,
    )
    written = utcnow() - timedelta(days=1)
    msg.created_at = written
    msg.status = MailStatus.FAILED
    msg.attempts = len(RETRY_DELAYS) + 1
    msg.error = REFUSAL
    msg.claimed_by = "prp-web-1:2211:5f0c9a1e7b42"
    msg.claimed_at = written + sum(RETRY_DELAYS, timedelta())
    return 1
