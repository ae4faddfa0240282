"""The retention purge: what has been kept as long as the rules allow is deleted or
anonymised, and the run says what it did. `flask purge --dry-run` counts without
changing anything; `flask purge` and the scheduler's daily job carry it out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, delete, func, select, update

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


# Each rule: `found()` selects the ids of what is past its period (None: the rule is
# off), `apply()` deletes or anonymises them and says how many. A dry run counts every
# rule's rows in one statement: one round trip, not one a rule.


@dataclass(frozen=True)
class Rule:
    label: str
    action: str
    found: Callable[[], Select | None]
    apply: Callable[[], int]


def _needs_found() -> Select | None:
    days = retention.days(Retention.AFTER_WORKSHOP)
    if days is None:
        return None
    cutoff = today() - timedelta(days=days)
    return (
        select(Registration.id)
        .join(Workshop, Workshop.id == Registration.workshop_id)
        .where(Workshop.ends_on < cutoff, Registration.needs_cleared_at.is_(None))
    )


def _needs_apply() -> int:
    days = retention.days(Retention.AFTER_WORKSHOP)
    return 0 if days is None else clear_needs(today(), kept_days=days)


def _unsuccessful_found() -> Select | None:
    cutoff = _before(Retention.UNSUCCESSFUL)
    if cutoff is None:
        return None
    return select(Application.id).where(
        # written into the SQL, not bound: the partial index on unsuccessful applications is
        # used only where the condition is seen to imply the index's, which a PostgreSQL
        # plan prepared for any parameters cannot see
        Application.status.in_(bindparam("unsuccessful", UNSUCCESSFUL, literal_execute=True)),
        func.coalesce(Application.decided_at, Application.updated_at) < cutoff,
        ~select(Award.id).where(Award.application_id == Application.id).exists(),
    )


def _unsuccessful_apply() -> int:
    ids = _unsuccessful_found()
    found = [] if ids is None else list(db.session.scalars(ids))
    if found:
        # events, reviews and the sign-off go with it (ON DELETE CASCADE)
        db.session.execute(delete(Application).where(Application.id.in_(found)))
    return len(found)


def _deleting(model, condition: Callable) -> tuple[Callable, Callable]:
    """(found, apply) for a rule that deletes the rows of `model` meeting `condition()`."""

    def found() -> Select | None:
        where = condition()
        return None if where is None else select(model.id).where(where)

    def apply() -> int:
        where = condition()
        if where is None:
            return 0
        return db.session.execute(delete(model).where(where)).rowcount or 0

    return found, apply


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


def _addresses():
    cutoff = _before(Retention.AUDIT)
    return (
        None if cutoff is None else (AuditEntry.ip_address.is_not(None)) & (AuditEntry.at < cutoff)
    )


def _addresses_found() -> Select | None:
    where = _addresses()
    return None if where is None else select(AuditEntry.id).where(where)


def _addresses_apply() -> int:
    where = _addresses()
    if where is None:
        return 0
    # a plain UPDATE: the audit trail is append-only for the ORM; this is the one change
    # the retention rule makes to it
    return db.session.execute(update(AuditEntry).where(where).values(ip_address=None)).rowcount


def _held():
    return (Erasure.held_until < today()) & Erasure.held_name.is_not(None)


def _held_apply() -> int:
    done = db.session.execute(
        update(Erasure).where(_held()).values(held_name=None, held_email=None)
    )
    return done.rowcount or 0


RULES: list[Rule] = [
    Rule(
        "Accommodation, dietary and access needs after the workshop",
        "cleared",
        _needs_found,
        _needs_apply,
    ),
    Rule("Unsuccessful applications", "deleted", _unsuccessful_found, _unsuccessful_apply),
    Rule(
        "Expired sign-in and invitation links",
        "deleted",
        *_deleting(UserToken, _short(UserToken.expires_at)),
    ),
    Rule("Failed sign-in attempts", "deleted", *_deleting(SignInFailure, _short(SignInFailure.at))),
    Rule(
        "Sign-ins listed on the account page",
        "deleted",
        *_deleting(SignInEvent, _short(SignInEvent.at)),
    ),
    # a device not used for the period is forgotten: its next sign-in reads as new
    Rule(
        "Devices not used within the period",
        "forgotten",
        *_deleting(KnownDevice, _short(KnownDevice.last_seen_at)),
    ),
    Rule("Sent emails", "deleted", *_deleting(OutboxMessage, _mail)),
    Rule("Network addresses in the audit trail", "removed", _addresses_found, _addresses_apply),
    Rule(
        "Names kept under the money records' legal hold",
        "removed",
        lambda: select(Erasure.id).where(_held()),
        _held_apply,
    ),
]


def _counts() -> list[int]:
    """Every rule's count in one statement (a rule that is off counts 0)."""
    found = [rule.found() for rule in RULES]
    columns = [
        select(func.count()).select_from(stmt.subquery()).scalar_subquery()
        for stmt in found
        if stmt is not None
    ]
    if not columns:
        return [0] * len(found)
    row = iter(db.session.execute(select(*columns)).one())
    return [0 if stmt is None else next(row) or 0 for stmt in found]


def run(dry_run: bool = False, actor=None) -> list[Outcome]:
    """Every rule once. A dry run only reads (one SELECT); otherwise the caller commits."""
    if dry_run:
        return [Outcome(r.label, r.action, n) for r, n in zip(RULES, _counts(), strict=True)]
    outcomes = [Outcome(r.label, r.action, r.apply()) for r in RULES]
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
