"""The retention purge: what has been kept as long as the rules allow is deleted or
anonymised, and the run says what it did. `flask purge --dry-run` counts without
changing anything; `flask purge` and the scheduler's daily job carry it out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, update

from app.accounts.models import KnownDevice, SignInEvent, SignInFailure, UserToken
from app.applications.models import UNSUCCESSFUL, Application
from app.awards.models import Award
from app.core import audit
from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.mail import MailStatus, OutboxMessage
from app.extensions import db
from app.privacy import retention
from app.privacy.declare import Retention
from app.privacy.models import Erasure
from app.residentials.models import Registration, Workshop
from app.residentials.services import clear_needs


@dataclass
class Outcome:
    rule: str
    action: str
    count: int


def _before(rule: Retention) -> datetime | None:
    days = retention.days(rule)
    if days is None:
        return None
    return datetime.combine(today(), datetime.min.time()) - timedelta(days=days)


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _needs(dry_run: bool) -> int:
    days = retention.days(Retention.AFTER_WORKSHOP)
    if days is None:
        return 0
    if dry_run:
        cutoff = today() - timedelta(days=days)
        return _count(
            select(Registration.id)
            .join(Workshop, Workshop.id == Registration.workshop_id)
            .where(Workshop.ends_on < cutoff, Registration.needs_cleared_at.is_(None))
        )
    return clear_needs(today(), kept_days=days)


def _unsuccessful(dry_run: bool) -> int:
    cutoff = _before(Retention.UNSUCCESSFUL)
    if cutoff is None:
        return 0
    ids = select(Application.id).where(
        # written into the SQL, not bound: the partial index on unsuccessful applications is
        # used only where the condition is seen to imply the index's, which a PostgreSQL
        # plan prepared for any parameters cannot see
        Application.status.in_(bindparam("unsuccessful", UNSUCCESSFUL, literal_execute=True)),
        func.coalesce(Application.decided_at, Application.updated_at) < cutoff,
        ~select(Award.id).where(Award.application_id == Application.id).exists(),
    )
    if dry_run:
        return _count(ids)  # counted where they are, not fetched
    found = list(db.session.scalars(ids))
    if found:
        # events, reviews and the sign-off go with it (ON DELETE CASCADE)
        db.session.execute(delete(Application).where(Application.id.in_(found)))
    return len(found)


def _delete_where(model, condition) -> Callable[[bool], int]:
    def run(dry_run: bool) -> int:
        if condition() is None:
            return 0
        if dry_run:
            return _count(select(model.id).where(condition()))
        return db.session.execute(delete(model).where(condition())).rowcount or 0

    return run


def _short(column):
    """Rows whose `column` is older than the SHORT period (None: kept for ever)."""

    def condition():
        cutoff = _before(Retention.SHORT)
        return None if cutoff is None else column < cutoff

    return condition


def _mail():
    cutoff = _before(Retention.SHORT)
    if cutoff is None:
        return None
    sent = (OutboxMessage.status == MailStatus.SENT) & (OutboxMessage.sent_at < cutoff)
    # a reminder withdrawn before it left (never sent) goes on the same rule
    withdrawn = (OutboxMessage.status == MailStatus.WITHDRAWN) & (OutboxMessage.created_at < cutoff)
    return sent | withdrawn


def _addresses(dry_run: bool) -> int:
    cutoff = _before(Retention.AUDIT)
    if cutoff is None:
        return 0
    where = (AuditEntry.ip_address.is_not(None), AuditEntry.at < cutoff)
    if dry_run:
        return _count(select(AuditEntry.id).where(*where))
    # a plain UPDATE: the audit trail is append-only for the ORM; this is the one change
    # the retention rule makes to it
    return db.session.execute(update(AuditEntry).where(*where).values(ip_address=None)).rowcount


def _held_identities(dry_run: bool) -> int:
    where = (Erasure.held_until < today(), Erasure.held_name.is_not(None))
    if dry_run:
        return _count(select(Erasure.id).where(*where))
    return (
        db.session.execute(
            update(Erasure).where(*where).values(held_name=None, held_email=None)
        ).rowcount
        or 0
    )


RULES: list[tuple[str, str, Callable[[bool], int]]] = [
    ("Accommodation, dietary and access needs after the workshop", "cleared", _needs),
    ("Unsuccessful applications", "deleted", _unsuccessful),
    (
        "Expired sign-in and invitation links",
        "deleted",
        _delete_where(UserToken, _short(UserToken.expires_at)),
    ),
    ("Failed sign-in attempts", "deleted", _delete_where(SignInFailure, _short(SignInFailure.at))),
    (
        "Sign-ins listed on the account page",
        "deleted",
        _delete_where(SignInEvent, _short(SignInEvent.at)),
    ),
    # a device not used for the period is forgotten: its next sign-in reads as new
    (
        "Devices not used since",
        "forgotten",
        _delete_where(KnownDevice, _short(KnownDevice.last_seen_at)),
    ),
    ("Sent emails", "deleted", _delete_where(OutboxMessage, _mail)),
    ("Network addresses in the audit trail", "removed", _addresses),
    ("Names kept under the money records' legal hold", "removed", _held_identities),
]


def run(dry_run: bool = False, actor=None) -> list[Outcome]:
    """Every rule once. The caller commits (or, for a dry run, rolls back)."""
    outcomes = [Outcome(label, action, fn(dry_run)) for label, action, fn in RULES]
    if not dry_run:
        audit.record(
            "privacy.purged",
            actor=actor,
            object_type="system",
            summary="Retention purge: "
            + "; ".join(f"{o.rule} {o.action}: {o.count}" for o in outcomes if o.count)[:280],
            changes={o.rule: [None, o.count] for o in outcomes},
        )
    return outcomes


def report(outcomes: list[Outcome], dry_run: bool) -> str:
    verb = "would be" if dry_run else "were"
    lines = [f"{o.rule}: {o.count} {verb} {o.action}" for o in outcomes]
    total = sum(o.count for o in outcomes)
    lines.append(("Dry run: nothing changed. " if dry_run else "") + f"{total} in all.")
    return "\n".join(lines)
